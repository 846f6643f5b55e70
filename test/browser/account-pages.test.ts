import { readFile } from 'node:fs/promises';
import test from 'ava';
import { generateSync } from 'otplib';
import { startBrowserFlow, type BrowserFlow } from '../helpers/browser-flow.js';
import { PASSWORD } from '../helpers/server.js';

/* The pages' small scripts in a real Chromium: show-password, recovery codes kept, sign out everywhere. */

let flow: BrowserFlow;
test.before(async () => {
  flow = await startBrowserFlow();
});
test.after.always(() => flow?.close());

test('"Show" reveals the typed password and "Hide" hides it again; the sign-in still goes through', async (t) => {
  const user = await flow.server.createUser();
  const page = await flow.newPage();
  await flow.openAuthorization(page);
  const password = page.getByLabel('Password', { exact: true });
  await page.getByLabel('Email or User ID', { exact: true }).fill(user.email);
  await password.fill(PASSWORD);
  t.is(await password.getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  t.is(await password.getAttribute('type'), 'text');
  t.is(await page.getByRole('button', { name: 'Hide' }).getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: 'Hide' }).click();
  t.is(await password.getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await flow.landedOnCallback(page);
  t.pass();
});

test('new recovery codes can be copied and downloaded as a text file', async (t) => {
  const admin = await flow.server.createUser({ role: 'admin' });
  const page = await flow.newPage({ permissions: ['clipboard-read', 'clipboard-write'], acceptDownloads: true });
  await flow.openAuthorization(page);
  await flow.submitSignIn(page, admin.email, PASSWORD);
  await page.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
  const secret = (await page.locator('#totp-secret').innerText()).trim();
  await page.getByLabel('Code from your authenticator app').fill(generateSync({ secret }));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
  const codes = (await page.locator('#recovery-codes code').allInnerTexts()).map((c) => c.trim());
  t.is(codes.length, 10);

  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByText('The codes are copied.').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  t.deepEqual(copied.trim().split('\n').slice(-10), codes);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download' }).click(),
  ]);
  t.is(download.suggestedFilename(), 'gatehouse-recovery-codes.txt');
  const saved = await readFile((await download.path())!, 'utf8');
  for (const code of codes) t.true(saved.includes(code), code);
  t.true(await page.getByRole('button', { name: 'Print' }).isVisible());
});

test('/account: "Sign out everywhere" signs this browser out too', async (t) => {
  const user = await flow.server.createUser({ givenName: 'Grace' });
  const page = await flow.newPage();
  await page.goto(`${flow.server.url}/account`);
  await page.getByLabel('Email or User ID', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  t.is(await page.getByLabel('Given name').inputValue(), 'Grace');
  await page.getByText('(this browser)').waitFor();
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.getByRole('heading', { name: 'Signed out everywhere' }).waitFor();
  await page.goto(`${flow.server.url}/account`);
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  t.pass();
});
