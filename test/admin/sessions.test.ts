import test from 'ava';
import * as oidc from 'openid-client';
import { adminServerPerFile, signedInPerFile, PASSWORD } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';
import { relyingParty } from '../helpers/rp.js';

const s = adminServerPerFile(test);
const hr = signedInPerFile(test, s, 'hr');

const db = () => s.server.db;

test('sessions are listed after real sign-ins, and revoking them ends sessions, grants and tokens', async (t) => {
  const user = await s.server.createUser();
  const client = await s.server.createClient();
  const rp = await relyingParty(s.server, client);
  const first = await rp.signIn({ username: user.email, password: PASSWORD }, { scope: 'openid offline_access' });
  const second = await rp.signIn({ username: user.email, password: PASSWORD }, { scope: 'openid offline_access' });
  t.truthy(first.tokens.refresh_token);
  t.true((await oidc.tokenIntrospection(rp.config, first.tokens.access_token)).active);

  const listed = await hr.api('GET', `/users/${user.id}/sessions`);
  t.is(listed.status, 200, JSON.stringify(listed.body));
  t.is(listed.body.items.length, 2, 'one session per browser');
  const stored = await db()('oidc_payloads').where({ kind: 'Session', account_id: user.id });
  for (const session of listed.body.items) {
    t.true(
      stored.some((row) => row.payload.uid === session.id),
      'the id is the session uid',
    );
    t.false(
      stored.some((row) => row.id === session.id),
      'never the cookie value',
    );
    t.deepEqual(session.clients, [client.clientId]);
    t.deepEqual(session.amr, ['pwd']);
    t.true(new Date(session.signedInAt).getTime() <= Date.now());
    t.true(new Date(session.expiresAt).getTime() > Date.now());
  }

  const revoked = await hr.api('DELETE', `/users/${user.id}/sessions`);
  t.is(revoked.status, 204);
  t.deepEqual((await hr.api('GET', `/users/${user.id}/sessions`)).body, { items: [] });
  t.false((await oidc.tokenIntrospection(rp.config, first.tokens.access_token)).active, 'introspection says inactive');
  await t.throwsAsync(
    oidc.refreshTokenGrant(rp.config, first.tokens.refresh_token!),
    undefined,
    'the refresh token fails',
  );
  await t.throwsAsync(oidc.refreshTokenGrant(rp.config, second.tokens.refresh_token!));
  const next = await first.browser.open((await rp.authorizationUrl()).url.toString());
  t.regex(next.html, /name="password"/, 'the browser must sign in again');

  const event = await auditEvents(s.server, { target_id: user.id, action: 'user.sessions_revoked' }).first();
  t.is(event.actor_id, hr.id);
  t.deepEqual(event.details, { sessions: 2 });
});

test("refusals: an individual may not list sessions; hr may not end an admin's; unknown users are 404", async (t) => {
  const individual = await s.as('individual');
  const user = await s.server.createUser();
  t.is((await individual.api('GET', `/users/${user.id}/sessions`)).status, 403);
  t.is((await individual.api('DELETE', `/users/${user.id}/sessions`)).status, 403);
  const admin = await s.as('admin');
  t.is((await hr.api('GET', `/users/${admin.id}/sessions`)).status, 200, 'reading is not changing');
  const res = await hr.api('DELETE', `/users/${admin.id}/sessions`);
  t.is(res.status, 403);
  t.is(res.body.error, 'admin_api.forbidden_target');
  t.true((await admin.api('GET', '/me')).status === 200, 'the admin is still signed in');
  t.is((await hr.api('GET', '/users/00000000-0000-4000-8000-000000000999/sessions')).status, 404);
});
