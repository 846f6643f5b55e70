import test from 'ava';
import type { Page } from 'playwright-core';
import { adminApiOn } from '../helpers/admin.js';
import { openTab, axeViolations, cspViolations, consolePerFile } from '../helpers/console.js';
import { perFile } from '../helpers/per-file.js';

/*
 * Settings (issue 15, workflow 9): a super admin changes the security settings, defines
 * custom fields and licences and edits a mail template with a preview; the changes are
 * in force through the admin API. Other roles are not offered the page.
 */
const c = consolePerFile(test);
const api = perFile(test, () => adminApiOn(c.server));

const openSectionTab = (page: Page, name: string) => openTab(page, 'Settings', name);

/** A React Aria select: its button, then the option. */
async function choose(page: Page, label: string, option: string) {
  await page.getByRole('button', { name: new RegExp(`${label}$`) }).click();
  await page.getByRole('option', { name: option }).click();
}

test.serial(
  'the password policy changed in the console is in force at once: the API refuses a shorter password',
  async (t) => {
    const admin = await api.as('super_admin');
    const { page } = await c.signIn('super_admin');
    await openSectionTab(page, 'Security');
    await page.getByLabel('Minimum length').fill('14');
    await page.getByRole('group', { name: 'Roles that must use MFA' }).getByText('Manager').click();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved: in force now').waitFor();

    const settings = await admin.api('GET', '/settings');
    t.is(settings.body.passwordPolicy.minLength, 14);
    t.true(settings.body.mfa.requiredRoles.includes('manager'));
    const refused = await admin.api('POST', '/users', { email: 'short-pw@example.com', password: 'Abcdefgh1234' });
    t.is(refused.status, 400);
    t.is(refused.body.error, 'password.too_short');
    await admin.api('PUT', '/settings', { mfa: { requiredRoles: [] } });

    await page.getByLabel('Minimum length').fill('3');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /minLength|8/ })
      .waitFor();
    t.is((await admin.api('GET', '/settings')).body.passwordPolicy.minLength, 14, 'a refused value changes nothing');
    t.deepEqual(await cspViolations(page), []);
  },
);

test.serial('a custom field and a licence are created, changed and listed; the API has them', async (t) => {
  const { page } = await c.signIn('super_admin');
  await openSectionTab(page, 'Custom fields');
  await page.getByRole('button', { name: 'Add custom field' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Key').fill('badge');
  await dialog.getByLabel('Label').fill('Badge number');
  await dialog.getByText('Shown as a claim in ID tokens').click();
  await dialog.getByRole('button', { name: 'Create' }).click();
  const fields = page.getByRole('table', { name: 'Custom fields' });
  await fields.getByRole('cell', { name: 'Badge number', exact: true }).waitFor();

  await page.getByRole('tab', { name: 'Licences' }).click();
  t.regex(new URL(page.url()).pathname, /\/admin\/settings\/licences$/);
  await page.getByRole('button', { name: 'Add licence' }).click();
  await dialog.getByLabel('Key').fill('office');
  await dialog.getByLabel('Name').fill('Office suite');
  await dialog.getByLabel('Seats').fill('25');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const row = page.getByRole('table', { name: 'Licences' }).getByRole('row', { name: /Office suite/ });
  await row.waitFor();
  t.deepEqual((await row.getByRole('cell').allTextContents()).slice(0, 5), ['Office suite', 'office', '25', '0', 'No']);

  await page.getByRole('button', { name: 'Edit Office suite' }).click();
  await dialog.getByLabel('Seats').fill('');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await row.getByRole('cell', { name: 'No limit', exact: true }).waitFor();

  const admin = await api.as('super_admin');
  const field = await admin.api('GET', '/custom-fields/badge');
  t.like(field.body, { key: 'badge', label: 'Badge number', type: 'text', claim: true, required: false });
  t.like((await admin.api('GET', '/licences/office')).body, { key: 'office', name: 'Office suite', seats: null });

  await page.reload();
  await page.getByRole('table', { name: 'Licences' }).waitFor();
  t.is(
    await page.getByRole('tab', { name: 'Licences' }).getAttribute('aria-selected'),
    'true',
    'the tab has an address',
  );
});

test.serial(
  'a mail template is edited, previewed with sample values and saved; going back restores the shipped one',
  async (t) => {
    const { page } = await c.signIn('super_admin');
    await openSectionTab(page, 'Mail templates');
    await choose(page, 'Mail', 'Invitation');
    await choose(page, 'Language', 'English');
    const subject = page.getByLabel('Subject');
    const shipped = await subject.inputValue();
    await subject.fill('Welcome aboard, {{name}}');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByText('Welcome aboard, Alex Example', { exact: true }).waitFor();
    t.regex((await preview.textContent()) ?? '', /SAMPLE-TOKEN/, 'the text part with the sample link');

    await page.getByLabel('Text', { exact: true }).fill('Hello {{nope}}');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('alert').filter({ hasText: /nope/ }).waitFor();
    await page.getByLabel('Text', { exact: true }).fill('Hello {{name}}, choose a password: {{link}}');

    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByText('Mail template saved').waitFor();
    const admin = await api.as('super_admin');
    t.like((await admin.api('GET', '/mail-templates/invitation/en')).body, {
      subject: 'Welcome aboard, {{name}}',
      customised: true,
    });

    await page.getByRole('button', { name: 'Go back to the shipped template' }).click();
    await page.getByText('Back to the shipped template', { exact: true }).waitFor();
    t.like((await admin.api('GET', '/mail-templates/invitation/en')).body, { subject: shipped, customised: false });
    t.deepEqual(await cspViolations(page), []);
  },
);

test.serial(
  'keyboard: a dialog opens with Enter, Tab reaches Confirm, Escape closes it and focus returns',
  async (t) => {
    const admin = await api.as('super_admin');
    await admin.api('POST', '/custom-fields', { key: 'keyboardField', label: 'Keyboard field', type: 'text' });
    const { page } = await c.signIn('super_admin');
    await openSectionTab(page, 'Custom fields');
    const remove = page.getByRole('button', { name: 'Remove Keyboard field' });
    await remove.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Remove the custom field "Keyboard field"?' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Confirm' });
    for (let i = 0; i < 4 && !(await confirm.evaluate((b) => b === document.activeElement)); i++)
      await page.keyboard.press('Tab');
    t.true(await confirm.evaluate((b) => b === document.activeElement), 'Tab reaches Confirm');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    t.true(await remove.evaluate((b) => b === document.activeElement), 'focus is back on the button');
    t.is((await admin.api('GET', '/custom-fields/keyboardField')).status, 200, 'Escape removed nothing');

    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.waitFor({ state: 'detached' });
    t.is((await admin.api('GET', '/custom-fields/keyboardField')).status, 404);
  },
);

test.serial('an admin is not offered Settings, and the page says so when opened by its address', async (t) => {
  const { page } = await c.signIn('admin');
  const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
  t.false(nav.includes('Settings'));
  await page.goto(`${c.server.url}/admin/settings/security`);
  await page.getByText('Settings are for super admins.').waitFor();
  t.is(await page.getByRole('button', { name: 'Save settings' }).count(), 0);
  t.deepEqual(await axeViolations(page), []);
});

test.serial(
  'every settings tab: no accessibility violations (axe-core) and no horizontal overflow at 375 px',
  async (t) => {
    const { page } = await c.signIn('super_admin', { viewport: { width: 375, height: 800 } });
    for (const tab of ['Security', 'Custom fields', 'Licences', 'Mail templates']) {
      await openSectionTab(page, tab);
      await page
        .getByRole('tabpanel')
        .getByRole('heading')
        .or(page.getByRole('tabpanel').locator('fieldset'))
        .first()
        .waitFor();
      t.deepEqual(await axeViolations(page), [], tab);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      t.true(overflow <= 0, `${tab}: the page is ${overflow}px wider than the screen`);
    }
  },
);
