import test from 'ava';
import { CLI_ACTOR } from '../../src/services/audit.js';
import { startBrowserFlow, type BrowserFlow } from '../helpers/browser-flow.js';

/*
 * Self-registration in a real Chromium, as a person does it: from the sign-in
 * page of an application, the confirmation link from the mail, the message about
 * the approval, and back at the sign-in page the account waits for it.
 */

let flow: BrowserFlow;
test.before(async () => {
  flow = await startBrowserFlow();
  await flow.server.container.settings.update({ selfRegistration: { enabled: true } }, CLI_ACTOR);
});
test.after.always(() => flow?.close());

const PASSWORD = 'copper-lantern-58-orchard';

async function confirmationLink(email: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [mail] = await flow.server.repos.outbox.list(5, email);
    const link = mail && /https?:\/\/\S+\/sign-up\/confirm\?token=\S+/.exec(mail.text)?.[0];
    if (link) return link;
    if (Date.now() > deadline) throw new Error(`no sign-up mail for ${email} in the outbox`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('signs up from the sign-in page, confirms from the mail, and is told the account waits for approval', async (t) => {
  const page = await flow.newPage();
  await flow.openAuthorization(page);
  await page.getByRole('link', { name: 'Create an account', exact: true }).click();
  await page.getByRole('heading', { name: 'Create an account' }).waitFor();

  await page.getByLabel('Email', { exact: true }).fill('nell.browser@example.net');
  await page.getByLabel('Given name', { exact: true }).fill('Nell');
  await page.getByLabel('Family name', { exact: true }).fill('Brauer');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Repeat the password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create the account', exact: true }).click();
  await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
  t.regex(await page.getByRole('status').innerText(), /Open its link to confirm your address/);

  // The mail is opened in another tab of the same browser.
  const mailTab = await page.context().newPage();
  await mailTab.goto(await confirmationLink('nell.browser@example.net'));
  await mailTab.getByRole('heading', { name: 'Confirm your email' }).waitFor();
  t.regex(
    await mailTab.locator('main').innerText(),
    /Create the account of Nell Brauer for nell\.browser@example\.net\?/,
  );
  await mailTab.getByRole('button', { name: 'Confirm and create the account', exact: true }).click();
  await mailTab.getByRole('heading', { name: 'Email confirmed' }).waitFor();
  t.regex(await mailTab.getByRole('status').innerText(), /Your account is waiting for approval/);

  // Back in the first tab, the way back leads to the application's sign-in, which says the account waits.
  await page.getByRole('link', { name: 'Back to sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  await flow.submitSignIn(page, 'nell.browser@example.net', PASSWORD);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  t.regex(await alert.innerText(), /Your account is not active yet/);
  const user = await flow.server.db('users').where({ email: 'nell.browser@example.net' }).first();
  t.is(user.status, 'pending');
});
