import test, { type ExecutionContext } from 'ava';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { startBrowserFlow, type BrowserFlow } from '../helpers/browser-flow.js';
import { PASSWORD, type TestServer } from '../helpers/server.js';

/*
 * The sign-in pages in a real Chromium, used as a person would: labels, buttons
 * and links found by what they say, the relying party a real page on 127.0.0.1.
 * One Gatehouse and one Chromium per file; every test has its own user(s) and
 * its own browser context (cookie jar).
 */

const INVALID_CREDENTIALS = 'The email, User ID or password is incorrect.';
/** Contains none of the fixture user's name or email parts. */
const NEW_PASSWORD = 'amber-quarry-93-willow';

let flow: BrowserFlow;
let server: TestServer;
let callback: BrowserFlow['callback'];

test.before(async () => {
  flow = await startBrowserFlow();
  ({ server, callback } = flow);
});
test.after.always(() => flow?.close());

const newPage = (options?: BrowserContextOptions) => flow.newPage(options);
const openAuthorization = (page: Page) => flow.openAuthorization(page);
const submitSignIn = (page: Page, username: string, password: string) => flow.submitSignIn(page, username, password);
const landedOnCallback = (page: Page) => flow.landedOnCallback(page);
const redeem = async (code: string, verifier: string) => {
  const { status, sub } = await flow.redeem(code, verifier);
  return { status, sub };
};

/** After a refused attempt the username stays: typing the right password lands on the client. */
async function retypePasswordAndLand(t: ExecutionContext, page: Page, state: string): Promise<void> {
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const landed = await landedOnCallback(page);
  t.truthy(landed.searchParams.get('code'));
  t.is(landed.searchParams.get('state'), state);
}

async function waitForResetLink(email: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    // The newest mail with a link (a lock notice may have come in between).
    const link = (await server.repos.outbox.list(5, email))
      .map((mail) => /https?:\/\/\S+\/reset-password\?token=\S+/.exec(mail.text)?.[0])
      .find(Boolean);
    if (link) return link;
    if (Date.now() > deadline) throw new Error(`no password-reset mail for ${email} in the outbox`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('signs in with email and password and lands on the callback with a code and the same state', async (t) => {
  const user = await server.createUser();
  const page = await newPage();
  const { state, verifier } = await openAuthorization(page);
  t.true(page.url().startsWith(`${server.url}/interaction/`), page.url());

  await submitSignIn(page, user.email, PASSWORD);
  const landed = await landedOnCallback(page);

  t.is(landed.origin + landed.pathname, callback.redirectUri);
  t.is(landed.searchParams.get('state'), state);
  const code = landed.searchParams.get('code');
  t.truthy(code);
  t.is(landed.searchParams.get('error'), null);
  // The code is real: the relying party redeems it for the user's ID token.
  t.deepEqual(await redeem(code!, verifier), { status: 200, sub: user.id });
});

test('a wrong password shows an alert, keeps the username, and the page stays usable', async (t) => {
  const user = await server.createUser();
  const page = await newPage();
  const { state } = await openAuthorization(page);

  await submitSignIn(page, user.email, 'not-the-password-at-all');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  t.is((await alert.innerText()).trim(), INVALID_CREDENTIALS);
  t.is(await page.getByLabel('Email or User ID', { exact: true }).inputValue(), user.email);
  t.is(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the wrong password is not sent back');
  t.true(page.url().startsWith(`${server.url}/interaction/`), page.url());

  // The right password on the same page: only the password needs typing again.
  await retypePasswordAndLand(t, page, state);
});

test('forgot password: mail link, policy message, new password works and the old one no longer does', async (t) => {
  const user = await server.createUser();
  const page = await newPage();
  await openAuthorization(page);

  await page.getByRole('link', { name: 'Forgot password?', exact: true }).click();
  await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
  await page.getByLabel('Email or User ID', { exact: true }).fill(user.email);
  await page.getByRole('button', { name: 'Send the link', exact: true }).click();
  await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
  t.regex(await page.getByRole('status').innerText(), /If an account matches what you gave, we have sent a link/);

  const link = await waitForResetLink(user.email);
  t.true(link.startsWith(`${server.url}/reset-password?token=`), link);
  await page.goto(link);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();

  // Too short first: the policy message, on the same page, and the link still works.
  await page.getByLabel('New password', { exact: true }).fill('short-1');
  await page.getByLabel('Repeat the new password', { exact: true }).fill('short-1');
  await page.getByRole('button', { name: 'Save the password', exact: true }).click();
  await page.getByRole('alert').waitFor();
  t.regex(await page.getByRole('alert').innerText(), /^The password must be at least \d+ characters long\.$/);

  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Repeat the new password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Save the password', exact: true }).click();
  await page.getByRole('heading', { name: 'Password changed' }).waitFor();
  t.regex(await page.getByRole('status').innerText(), /Your new password is saved/);

  // Back in the application, in a fresh browser: the old password fails, the new one works.
  const again = await newPage();
  const { state } = await openAuthorization(again);
  await submitSignIn(again, user.email, PASSWORD);
  await again.getByRole('alert').waitFor();
  t.is((await again.getByRole('alert').innerText()).trim(), INVALID_CREDENTIALS);
  await again.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await again.getByRole('button', { name: 'Sign in', exact: true }).click();
  const landed = await landedOnCallback(again);
  t.truthy(landed.searchParams.get('code'));
  t.is(landed.searchParams.get('state'), state);

  // The link was used up.
  await page.goto(link);
  await page.getByRole('heading', { name: 'Link expired' }).waitFor();
  t.pass();
});

test('the sign-in page works with JavaScript disabled', async (t) => {
  const user = await server.createUser();
  const page = await newPage({ javaScriptEnabled: false });
  const { state } = await openAuthorization(page);

  await submitSignIn(page, user.email, 'still-not-the-password');
  t.is((await page.getByRole('alert').innerText()).trim(), INVALID_CREDENTIALS);
  t.is(await page.getByLabel('Email or User ID', { exact: true }).inputValue(), user.email);

  await retypePasswordAndLand(t, page, state);
});

test('the sign-in page renders without browser errors (screenshot in /tmp/gatehouse-login.png)', async (t) => {
  const page = await newPage({ viewport: { width: 1024, height: 768 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    // A failed load is also a response below, where its URL is known.
    if (message.text().startsWith('Failed to load resource')) return;
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    // Gatehouse serves no favicon; Chromium asks for one anyway.
    if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico')
      problems.push(`${response.status()} ${response.url()}`);
  });
  await openAuthorization(page);

  for (const label of ['Email or User ID', 'Password'])
    t.true(await page.getByLabel(label, { exact: true }).isVisible(), label);
  t.true(await page.getByRole('button', { name: 'Sign in', exact: true }).isVisible());
  t.true(await page.getByRole('link', { name: 'Forgot password?', exact: true }).isVisible());
  t.is(await page.title(), 'Sign in · Gatehouse', 'its own title and the product name');
  // The first field to type in has the focus.
  t.is(await page.evaluate(() => document.activeElement?.id), 'username');

  await page.screenshot({ path: '/tmp/gatehouse-login.png', fullPage: true });
  t.deepEqual(problems, []);
});
