import test from 'ava';
import type { CDPSession, Page } from 'playwright-core';
import { ACR_MFA } from '../../src/domain/authentication.js';
import { startBrowserFlow, type BrowserFlow } from '../helpers/browser-flow.js';
import { PASSWORD } from '../helpers/server.js';

/*
 * Passkeys in a real Chromium, through its WebAuthn virtual authenticator
 * (DevTools protocol): the credential is made and used by the browser itself,
 * with our pages' scripts. WebAuthn refuses an IP address as the RP ID, so this
 * Gatehouse is http://localhost:PORT (a secure context, like 127.0.0.1).
 */

let flow: BrowserFlow;
test.before(async () => {
  flow = await startBrowserFlow({}, { host: 'localhost' });
});
test.after.always(() => flow?.close());

const AUTHENTICATOR = {
  protocol: 'ctap2',
  transport: 'internal',
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
} as const;

async function withAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR });
  return { cdp, authenticatorId };
}

/** Browser errors on a page: script errors, console errors, failed requests of ours. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico')
      problems.push(`${response.status()} ${response.url()}`);
  });
  return problems;
}

test('a person adds a named passkey on their security page, then signs in to an app with it alone, typing no username', async (t) => {
  const user = await flow.server.createUser();

  // 1. Signed in on the account pages, with an authenticator in this browser.
  const page = await flow.newPage();
  const problems = watch(page);
  const first = await withAuthenticator(page);
  await page.goto(`${flow.server.url}/account/security`);
  await flow.submitSignIn(page, user.email, PASSWORD);
  await page.getByRole('heading', { name: 'Security', exact: true }).waitFor();

  await page.getByLabel('Name of the new passkey', { exact: true }).fill('Work laptop');
  await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
  await page.getByText('Your passkey was added.').waitFor();
  t.is(
    await page.getByLabel('New name for Work laptop').inputValue(),
    'Work laptop',
    'the passkey is listed by its name',
  );
  const [passkey] = await flow.server.container.passkeys.list(user.id);
  t.is(passkey?.name, 'Work laptop');
  t.is(passkey?.lastUsedAt, null);

  const { credentials } = await first.cdp.send('WebAuthn.getCredentials', { authenticatorId: first.authenticatorId });
  t.is(credentials.length, 1);
  t.true(credentials[0]!.isResidentCredential, 'discoverable');
  t.is(credentials[0]!.rpId, 'localhost');
  t.is(Buffer.from(credentials[0]!.userHandle!, 'base64').toString(), user.id);

  // 2. Another browser (no session) holding the same passkey, as a synced passkey would be.
  const other = await flow.newPage();
  const otherProblems = watch(other);
  const second = await withAuthenticator(other);
  await second.cdp.send('WebAuthn.addCredential', {
    authenticatorId: second.authenticatorId,
    credential: credentials[0]!,
  });

  const { state, verifier } = await flow.openAuthorization(other);
  await other.getByRole('button', { name: 'Sign in with a passkey', exact: true }).click();
  const landed = await flow.landedOnCallback(other);
  t.is(landed.searchParams.get('state'), state);
  const { status, sub, claims } = await flow.redeem(landed.searchParams.get('code')!, verifier);
  t.is(status, 200);
  t.is(sub, user.id);
  t.deepEqual(claims?.amr, ['hwk', 'user']);
  t.is(claims?.acr, ACR_MFA);
  t.truthy((await flow.server.container.passkeys.list(user.id))[0]!.lastUsedAt);

  t.deepEqual(problems, []);
  t.deepEqual(otherProblems, []);
});

test('with no passkey in the browser the sign-in page shows an alert and stays usable', async (t) => {
  const user = await flow.server.createUser();
  const page = await flow.newPage();
  await withAuthenticator(page);
  const { state } = await flow.openAuthorization(page);
  await page.getByRole('button', { name: 'Sign in with a passkey', exact: true }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor({ timeout: 20_000 });
  t.regex(await alert.innerText(), /cancelled or timed out/);

  await flow.submitSignIn(page, user.email, PASSWORD);
  const landed = await flow.landedOnCallback(page);
  t.is(landed.searchParams.get('state'), state);
});
