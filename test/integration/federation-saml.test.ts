import test from 'ava';
import { Browser, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startSamlIdp, type AnswerSwitches, type SamlAnswer, type SamlIdp } from '../helpers/saml-idp.js';
import { auditEvents } from '../helpers/audit.js';
import { CLI_ACTOR } from '../../src/services/audit.js';
import type { Operator } from '../../src/domain/operator.js';

const SUPER: Operator = { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin', scope: { all: true } } };

let server: TestServer;
let idp: SamlIdp;
let rp: Awaited<ReturnType<typeof relyingParty>>;

test.before(async () => {
  server = await startServer({ OUTBOUND_ALLOW_PRIVATE: '1' });
  idp = await startSamlIdp();
  // As `gatehouse idp create --type saml --metadata-url`: the IdP's side is read from its metadata.
  await server.container.federation.identityProviders.create(
    {
      type: 'saml',
      name: 'corp',
      domains: ['corp.example'],
      saml: { metadataUrl: idp.metadataUrl },
      jit: { enabled: true, role: 'manager' },
      mapping: { trustEmail: true },
    },
    SUPER,
  );
  rp = await relyingParty(server, await server.createClient());
});
test.after.always(async () => {
  await idp?.close();
  await server?.close();
});

/** The sign-in form with an email of the provider's domain: home-realm discovery sends the browser to the IdP. */
async function toIdp(email: string) {
  const browser = new Browser(server.url);
  const auth = await rp.authorizationUrl();
  const form = await browser.open(auth.url.toString());
  const page = await browser.submit(form, { username: email, password: '' }, '/login');
  if (!page.leftTo) throw new Error(`no redirect to the IdP: ${page.status} ${page.html.slice(0, 300)}`);
  return { browser, auth, redirect: page.leftTo.toString() };
}

/**
 * The IdP's answer posted to the ACS as its auto-submitting form does: a cross-site
 * POST, so without Gatehouse's (SameSite) cookies; the browser then follows the
 * redirect with them, as a top-level GET.
 */
async function postAnswer(browser: Browser, answer: SamlAnswer): Promise<Page> {
  const res = await fetch(answer.acsUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: answer.SAMLResponse, RelayState: answer.RelayState }).toString(),
  });
  const location = res.headers.get('location');
  if (res.status !== 303 || !location) return { url: answer.acsUrl, status: res.status, html: await res.text() };
  return browser.open(new URL(location, server.url).toString());
}

async function signIn(email: string, switches: AnswerSwitches = {}) {
  const { browser, auth, redirect } = await toIdp(email);
  const answer = await idp.answer(redirect, switches);
  return { browser, auth, answer, page: await postAnswer(browser, answer) };
}

const failures = (reason: string) =>
  auditEvents(server, { action: 'signin.failed' }).whereRaw("details->>'reason' = ?", [reason]).orderBy('id');

test.serial('idp create reads the metadata; Gatehouse serves its SP metadata with the ACS URL', async (t) => {
  const provider = await server.container.federation.identityProviders.get('corp');
  t.like(provider.saml, { idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: idp.certs() });
  const res = await fetch(`${server.url}/federation/corp/metadata`);
  t.is(res.status, 200);
  const xml = await res.text();
  t.true(xml.includes(`entityID="${server.url}/federation/corp/metadata"`));
  t.true(xml.includes(`Location="${server.url}/federation/corp/acs"`));
});

test.serial('discovery by domain -> IdP -> ACS -> the client gets amr fed and the idp claim (JIT)', async (t) => {
  const { redirect } = await toIdp('ada@corp.example');
  const url = new URL(redirect);
  t.is(url.origin + url.pathname, idp.ssoUrl);
  t.truthy(url.searchParams.get('SAMLRequest'));

  idp.state.user = {
    nameId: 'ada-0001',
    attributes: { email: ['ada@corp.example'], givenName: ['Ada'], sn: ['Lovelace'] },
  };
  const { page, auth } = await signIn('ada@corp.example');
  t.truthy(page.leftTo?.href.startsWith('http://rp.test/callback'), `${page.status} ${page.html.slice(0, 300)}`);
  const claims = (await rp.exchange(page, auth)).claims()!;
  t.true((claims.amr as string[]).includes('fed'));
  t.is(claims.idp, 'corp');
  const user = await server.repos.users.findById(claims.sub);
  t.like(user, { email: 'ada@corp.example', givenName: 'Ada', familyName: 'Lovelace', mainRole: 'manager' });
  // The second sign-in finds the stored link (by the NameID).
  const again = await signIn('ada@corp.example');
  t.is((await rp.exchange(again.page, again.auth)).claims()!.sub, claims.sub);
});

const refusals: [string, AnswerSwitches, string][] = [
  ['a tampered assertion', { tamper: true }, 'upstream_signature'],
  ['a wrong audience', { audience: 'https://someone-else.example/sp' }, 'upstream_audience'],
];
for (const [what, switches, reason] of refusals)
  test.serial(`${what} is refused with a plain page and audited ${reason}`, async (t) => {
    const before = (await failures(reason)).length;
    const { page } = await signIn('ada@corp.example', switches);
    t.is(page.status, 401);
    t.regex(page.html, /<html/i);
    t.falsy(page.leftTo);
    t.is((await failures(reason)).length, before + 1);
  });

test.serial('a replayed assertion is refused with a plain page and audited upstream_replay', async (t) => {
  const { browser, answer, page } = await signIn('ada@corp.example');
  t.truthy(page.leftTo?.href.startsWith('http://rp.test/callback'));
  const replayed = await postAnswer(browser, answer);
  t.is(replayed.status, 401);
  t.regex(replayed.html, /already used/);
  t.is((await failures('upstream_replay')).length, 1);
});
