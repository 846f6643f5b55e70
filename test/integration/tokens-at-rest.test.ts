import { createHash } from 'node:crypto';
import test from 'ava';
import * as oidc from 'openid-client';
import { up as hashPayloadIds } from '../../migrations/20261207050000_hashed_payload_ids.js';
import { Browser } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD, startServer, serverPerFile, type TestServer } from '../helpers/server.js';

/*
 * No usable bearer credential at rest: after a sign-in, a dump of the OIDC
 * payloads holds none of the code, access token, refresh token or session cookie
 * the browser and the client were given, and all of them still work.
 */

const server = serverPerFile(test);

const dumpPayloads = async (on = server) => {
  const { rows } = (await on.db.raw('SELECT t::text AS line FROM oidc_payloads t')) as { rows: { line: string }[] };
  return rows.map((r) => r.line).join('\n');
};

/** A sign-in through the pages: the code, the tokens, and the browser holding the session cookie. */
async function signIn(on: TestServer) {
  const user = await on.createUser();
  const rp = await relyingParty(on, await on.createClient());
  const browser = new Browser(on.url);
  const auth = await rp.authorizationUrl({ scope: 'openid offline_access' });
  const page = await browser.submit(
    await browser.open(auth.url.toString()),
    { username: user.email, password: PASSWORD },
    '/login',
  );
  const code = page.leftTo?.searchParams.get('code');
  if (!code) throw new Error(`no code: ${page.url} ${page.html.slice(0, 300)}`);
  const tokens = await rp.exchange(page, auth);
  const session = browser.cookies.get('_session');
  if (!session || !tokens.refresh_token) throw new Error('no session cookie or refresh token');
  return {
    user,
    rp,
    browser,
    code,
    tokens,
    secrets: { code, access: tokens.access_token, refresh: tokens.refresh_token, session },
  };
}

/** What the user and the client rely on, after: the session signs in again silently, the tokens work. */
async function stillWorks(t: import('ava').ExecutionContext, s: Awaited<ReturnType<typeof signIn>>) {
  const info = await oidc.fetchUserInfo(s.rp.config, s.tokens.access_token, s.user.id);
  t.is(info.sub, s.user.id, 'the access token is accepted at userinfo');
  t.true((await oidc.tokenIntrospection(s.rp.config, s.tokens.access_token)).active, 'and by introspection');
  const again = await s.browser.open((await s.rp.authorizationUrl()).url.toString());
  t.truthy(again.leftTo?.searchParams.get('code'), 'the session cookie still signs the browser in without a form');
  const refreshed = await oidc.refreshTokenGrant(s.rp.config, s.tokens.refresh_token!);
  t.is(refreshed.claims()!.sub, s.user.id, 'the refresh token is redeemed');
}

test('a dump of oidc_payloads holds no code, access token, refresh token or session cookie; each still works', async (t) => {
  const s = await signIn(server);
  const dump = await dumpPayloads();
  for (const [name, value] of Object.entries(s.secrets))
    t.false(dump.includes(value), `the ${name} is nowhere in the table`);
  await stillWorks(t, s);
  const after = await dumpPayloads();
  for (const [name, value] of Object.entries(s.secrets))
    t.false(after.includes(value), `the ${name} is nowhere in the table after use`);
});

test('the migration hashes what an older version stored in plaintext; sessions and tokens survive it', async (t) => {
  // A server of its own: the migration rewrites the whole table.
  const upgraded = await startServer();
  t.teardown(() => upgraded.close());
  const s = await signIn(upgraded);
  const db = upgraded.db;
  // Back to the plaintext form an older version wrote: the id and the payload's jti are the value.
  const legacy: Array<[string, string]> = [
    ['AccessToken', s.secrets.access],
    ['RefreshToken', s.secrets.refresh],
    ['AuthorizationCode', s.secrets.code],
    ['Session', s.secrets.session],
  ];
  for (const [kind, value] of legacy) {
    const hashed = createHash('sha256').update(value).digest('base64url');
    const n = await db('oidc_payloads')
      .where({ kind, id: hashed })
      .update({ id: value, payload: db.raw("payload || jsonb_build_object('jti', ?::text)", [value]) });
    t.is(n, 1, `${kind} was stored under its hash`);
  }
  t.true((await dumpPayloads(upgraded)).includes(s.secrets.session), 'the plaintext form is in place');

  await hashPayloadIds(db);

  const dump = await dumpPayloads(upgraded);
  for (const [name, value] of Object.entries(s.secrets))
    t.false(dump.includes(value), `the ${name} is nowhere in the table after the migration`);
  await stillWorks(t, s);
});
