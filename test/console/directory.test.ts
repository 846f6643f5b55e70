import test from 'ava';
import type { Page } from 'playwright-core';
import { axeViolations, consolePerFile } from '../helpers/console.js';
import { arranger } from '../helpers/arranger.js';

/*
 * Workflow 7: accounts, account groups and groups in the console — lists, records,
 * create, edit, delete (with the in-use explanation), members added and removed; a
 * manager sees the lists and is offered no change.
 */
const c = consolePerFile(test);

const ARRANGER = arranger();
let n = 0;
const unique = (what: string) => `${what} ${++n}-${Date.now().toString(36)}`;

/** Types part of a name into a user picker and picks the match. */
async function pickUser(page: Page, label: string, search: string, option: RegExp) {
  await page.getByRole('combobox', { name: label }).fill(search);
  await page.getByRole('option', { name: option }).click();
}

const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test.serial(
  'an admin creates an account, employs a user there and removes them, then deletes it after the in-use warning',
  async (t) => {
    const { page } = await c.signIn('admin');
    const family = unique('Worker').replace(/\W/g, '');
    await c.server.createUser({ givenName: 'Wanda', familyName: family });
    const name = unique('Acme');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Add account' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();

    await pickUser(page, 'Find a user to add', family, new RegExp(`Wanda ${family}`));
    await page.getByRole('button', { name: 'Add member' }).click();
    const members = page.getByRole('table', { name: 'Members' });
    await members.getByRole('link', { name: `Wanda ${family}` }).waitFor();
    await page.getByText('Members (1)').waitFor();

    // Deleting an account that employs someone: the API refuses, the dialog explains force.
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: `${name} is still in use` }).waitFor();
    t.regex(await page.getByRole('dialog').innerText(), /move to the Guest account/);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await members.getByRole('button', { name: `Remove Wanda ${family}` }).click();
    await page.getByText('Members (0)').waitFor();

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    await page.getByLabel('Search accounts').fill(name);
    await page.getByRole('table', { name: 'Accounts' }).getByText('None found.').waitFor();
    t.pass();
  },
);

test.serial(
  'deleting an account that employs users: Confirm twice deletes it anyway, and the user stays',
  async (t) => {
    const { page } = await c.signIn('admin');
    const account = await c.server.container.admin.accounts.create(
      { name: unique('Busy'), kind: 'provider' },
      ARRANGER,
    );
    const user = await c.server.createUser({ givenName: 'Emil', familyName: unique('Staff').replace(/\W/g, '') });
    await c.server.container.admin.relations.setEmployments(
      user.id,
      [{ accountId: account.id, startDate: null, endDate: null, isMain: true }],
      ARRANGER,
    );
    await page.goto(`${c.server.url}/admin/accounts/${account.id}`);
    await page.getByText('Members (1)').waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: `${account.name} is still in use` }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    await t.throwsAsync(c.server.container.admin.accounts.get(account.id), { message: /No such account/i });
    t.truthy(await c.server.repos.users.findById(user.id));
  },
);

test.serial('an admin renames an account group and sets its accounts', async (t) => {
  const { page } = await c.signIn('admin');
  const account = await c.server.container.admin.accounts.create(
    { name: unique('Member'), kind: 'customer' },
    ARRANGER,
  );
  const name = unique('Region');
  await page.goto(`${c.server.url}/admin/accounts`);
  await page
    .getByRole('navigation', { name: 'Accounts and account groups' })
    .getByRole('link', { name: 'Account groups' })
    .click();
  await page.getByRole('button', { name: 'Add account group' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill(name);
  await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();

  await page.getByRole('button', { name: /Account to add/ }).click();
  await page.getByRole('option', { name: account.name }).click();
  await page.getByRole('button', { name: 'Add account' }).click();
  const accounts = page.getByRole('table', { name: 'Accounts' });
  await accounts.getByRole('link', { name: account.name }).waitFor();

  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill(`${name} North`);
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: `${name} North`, level: 1 }).waitFor();

  await accounts.getByRole('button', { name: `Remove ${account.name}` }).click();
  await accounts.getByText('No accounts.').waitFor();

  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('heading', { name: 'Account groups', level: 1 }).waitFor();
  t.is((await c.server.container.admin.accountGroups.list({ q: name, limit: 10, offset: 0 })).total, 0);
});

test.serial('an admin creates a group, adds and removes a member, edits and deletes it', async (t) => {
  const { page } = await c.signIn('admin');
  const family = unique('Joiner').replace(/\W/g, '');
  await c.server.createUser({ givenName: 'Greta', familyName: family });
  const name = unique('Engineers');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
  await page.getByRole('button', { name: 'Add group' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill(name);
  await page.getByRole('dialog').getByLabel('External ID').fill('ext-42');
  await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  await page.getByText('ext-42').waitFor();

  await pickUser(page, 'Find a user to add', family, new RegExp(`Greta ${family}`));
  await page.getByRole('button', { name: 'Add member' }).click();
  const members = page.getByRole('table', { name: 'Members' });
  await members.getByRole('link', { name: `Greta ${family}` }).waitFor();

  await members.getByRole('button', { name: `Remove Greta ${family}` }).click();
  await page.getByText('Members (0)').waitFor();

  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill(`${name} Team`);
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: `${name} Team`, level: 1 }).waitFor();

  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();
  await page.getByLabel('Search groups').fill(name);
  await page.getByRole('table', { name: 'Groups' }).getByText('None found.').waitFor();
  t.pass();
});

test.serial('a name already taken is refused in the dialog, which stays open', async (t) => {
  const { page } = await c.signIn('admin');
  const group = await c.server.container.admin.groups.create({ displayName: unique('Taken') }, ARRANGER);
  await page.goto(`${c.server.url}/admin/groups`);
  await page.getByRole('button', { name: 'Add group' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill(group.displayName);
  await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
  t.regex(await page.getByRole('dialog').getByRole('alert').innerText(), /already exists/);
});

test.serial(
  'a manager sees the lists and records but is offered no create, edit, delete or member change',
  async (t) => {
    const account = await c.server.container.admin.accounts.create(
      { name: unique('Shown'), kind: 'customer' },
      ARRANGER,
    );
    const group = await c.server.container.admin.groups.create({ displayName: unique('Visible') }, ARRANGER);
    const { page } = await c.signIn('manager');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByLabel('Search accounts').fill(account.name);
    await page.getByRole('table', { name: 'Accounts' }).getByRole('link', { name: account.name }).click();
    await page.getByRole('heading', { name: account.name, level: 1 }).waitFor();
    await page.getByText(/Your role may not do this/).waitFor();
    for (const name of ['Edit', 'Delete', 'Add member'])
      t.is(await page.getByRole('button', { name }).count(), 0, name);

    await page.goto(`${c.server.url}/admin/accounts/groups`);
    await page.getByRole('heading', { name: 'Account groups', level: 1 }).waitFor();
    t.is(await page.getByRole('button', { name: 'Add account group' }).count(), 0);

    await page.goto(`${c.server.url}/admin/groups`);
    await page.getByRole('table', { name: 'Groups' }).waitFor();
    t.is(await page.getByRole('button', { name: 'Add group' }).count(), 0);
    await page.goto(`${c.server.url}/admin/groups/${group.id}`);
    await page.getByRole('heading', { name: group.displayName, level: 1 }).waitFor();
    for (const name of ['Edit', 'Delete', 'Add member'])
      t.is(await page.getByRole('button', { name }).count(), 0, name);
  },
);

test.serial('the directory pages have no accessibility violations and fit 375 px', async (t) => {
  const account = await c.server.container.admin.accounts.create({ name: unique('Axe'), kind: 'customer' }, ARRANGER);
  const group = await c.server.container.admin.groups.create({ displayName: unique('Axe group') }, ARRANGER);
  const accountGroup = await c.server.container.admin.accountGroups.create(
    { name: unique('Axe region'), accountIds: [account.id] },
    ARRANGER,
  );
  const { page } = await c.signIn('admin', { viewport: { width: 375, height: 800 } });
  for (const [path, heading] of [
    ['/admin/accounts', 'Accounts'],
    [`/admin/accounts/${account.id}`, account.name],
    ['/admin/accounts/groups', 'Account groups'],
    [`/admin/accounts/groups/${accountGroup.id}`, accountGroup.name],
    ['/admin/groups', 'Groups'],
    [`/admin/groups/${group.id}`, group.displayName],
  ]) {
    await page.goto(`${c.server.url}${path}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.getByRole('table').first().getByRole('row').nth(1).waitFor();
    t.deepEqual(await axeViolations(page), [], path);
    t.true((await noOverflow(page)) <= 0, `${path} is wider than the screen`);
  }
});
