import { readFile } from 'node:fs/promises';
import test from 'ava';
import type { Page } from 'playwright-core';
import type { Role, Status } from '../../src/domain/user.js';
import { axeViolations, consolePerFile, cspViolations } from '../helpers/console.js';

/*
 * The users grid (issue 15, workflows 1, 3 and 6b) in Chromium, signed in through
 * the real OIDC flow: search, filters, sort, columns, paging, selection and bulk
 * actions (a job beyond BULK_SYNC_LIMIT), add user with an invitation, approve,
 * export, what a role is not offered, accessibility, 375 px and the keyboard.
 * Each test makes users of its own family name and searches for it.
 */
const c = consolePerFile(test, { BULK_SYNC_LIMIT: '5' });

let n = 0;
/** A family name no other test uses. */
const family = (what: string) => `${what}${++n}x${Date.now().toString(36)}`;

/** `count` users of one family (given names Ann01, Ann02, …), in order of creation. */
async function makeUsers(familyName: string, count: number, more: { status?: Status; role?: Role } = {}) {
  const made = [];
  for (let i = 1; i <= count; i++) {
    const givenName = `Ann${String(i).padStart(2, '0')}`;
    made.push({
      ...(await c.server.createUser({
        givenName,
        familyName,
        email: `${givenName}.${familyName}@example.com`,
        ...more,
      })),
      name: `${givenName} ${familyName}`,
    });
  }
  return made;
}

const grid = (page: Page) => page.getByRole('table', { name: 'Users' });
/** The names in the grid's rows, in order. */
const namesShown = (page: Page) => grid(page).locator('tbody tr td a').allInnerTexts();
/** Waits until the grid shows exactly these names. */
async function waitForNames(page: Page, names: string[]) {
  const deadline = Date.now() + 40_000;
  let shown: string[] = [];
  while (Date.now() < deadline) {
    // A reload signs in again through Gatehouse's session: the page may be between two loads.
    shown = await namesShown(page).catch(() => []);
    const idle = await page
      .locator('.users-grid[aria-busy="false"]')
      .count()
      .catch(() => 0);
    if (JSON.stringify(shown) === JSON.stringify(names) && idle) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`the grid shows ${JSON.stringify(shown)}, not ${JSON.stringify(names)}`);
}

async function openUsers(page: Page, search = '') {
  await page.goto(`${c.server.url}/admin/users${search}`);
  await grid(page).waitFor();
}

/** A React Aria select: its button (named by its label), then the option. */
async function choose(page: Page, label: string, option: string) {
  await page.getByRole('button', { name: new RegExp(`${label}$`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

test.serial(
  'search: the grid shows the users whose name matches, and the URL keeps the search across a reload',
  async (t) => {
    const fam = family('Quartz');
    const users = await makeUsers(fam, 3);
    await makeUsers(family('Other'), 1);
    const { page } = await c.signIn('admin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await grid(page).waitFor();
    for (const name of ['Name', 'Email', 'Status', 'Role', 'User ID', 'Account', 'Last sign-in', 'Created'])
      t.is(await grid(page).getByRole('columnheader', { name }).count(), 1, name);
    await page.getByRole('searchbox', { name: 'Search users' }).fill(fam);
    await page.getByRole('searchbox', { name: 'Search users' }).press('Enter');
    await waitForNames(page, users.map((u) => u.name).reverse());
    t.regex(page.url(), new RegExp(`q=${fam}`));
    await page.getByRole('status').filter({ hasText: '3 users found' }).waitFor();
    await page.reload();
    await waitForNames(page, users.map((u) => u.name).reverse());
    t.is(await page.getByRole('searchbox', { name: 'Search users' }).inputValue(), fam);
    t.deepEqual(await cspViolations(page), []);
  },
);

test.serial(
  'filters: status and role narrow the grid, their badges readable, and clearing them brings everyone back',
  async (t) => {
    const fam = family('Filter');
    const [active] = await makeUsers(fam, 1);
    const [pending] = await makeUsers(`${fam}p`, 1, { status: 'pending' });
    const [manager] = await makeUsers(`${fam}m`, 1, { role: 'manager' });
    const { page } = await c.signIn('admin');
    await openUsers(page, `?q=${fam}`);
    await waitForNames(page, [manager!.name, pending!.name, active!.name]);
    await page.getByText('Filters', { exact: true }).click();
    await choose(page, 'Status', 'Pending approval');
    await waitForNames(page, [pending!.name]);
    t.is(await grid(page).getByText('Pending approval').count(), 1);
    t.regex(page.url(), /status=pending/);
    await choose(page, 'Status', 'Any');
    await choose(page, 'Role', 'Manager');
    await waitForNames(page, [manager!.name]);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await waitForNames(page, [manager!.name, pending!.name, active!.name]);
    t.notRegex(page.url(), /role=/);
  },
);

test.serial(
  'sort: a column header sorts on the server, says so with aria-sort, and turns the order round',
  async (t) => {
    const fam = family('Sort');
    const users = await makeUsers(fam, 3);
    const { page } = await c.signIn('admin');
    await openUsers(page, `?q=${fam}`);
    const names = users.map((u) => u.name);
    await waitForNames(page, [...names].reverse());
    const email = grid(page).getByRole('columnheader', { name: 'Email' });
    t.is(await grid(page).getByRole('columnheader', { name: 'Created' }).getAttribute('aria-sort'), 'descending');
    await email.getByRole('button').click();
    await waitForNames(page, names);
    t.is(await email.getAttribute('aria-sort'), 'ascending');
    t.regex(page.url(), /sort=email/);
    await email.getByRole('button').click();
    await waitForNames(page, [...names].reverse());
    t.regex(page.url(), /sort=-email/);
    t.is(await email.getAttribute('aria-sort'), 'descending');
    await page.reload();
    await waitForNames(page, [...names].reverse());
    t.is(await grid(page).getByRole('columnheader', { name: 'Email' }).getAttribute('aria-sort'), 'descending');
    // Columns the server cannot sort have no sort button.
    t.is(await grid(page).getByRole('columnheader', { name: 'Status' }).getByRole('button').count(), 0);
  },
);

test.serial('column chooser: a column unticked in the menu leaves the grid, ticked again it comes back', async (t) => {
  const fam = family('Cols');
  await makeUsers(fam, 1);
  const { page } = await c.signIn('admin');
  await openUsers(page, `?q=${fam}`);
  await page.getByRole('button', { name: 'Columns' }).click();
  const item = page.getByRole('menuitemcheckbox', { name: 'User ID' });
  t.is(await item.getAttribute('aria-checked'), 'true');
  await item.click();
  await page.keyboard.press('Escape');
  await grid(page).getByRole('columnheader', { name: 'User ID' }).waitFor({ state: 'detached' });
  t.is(await grid(page).getByRole('columnheader', { name: 'Email' }).count(), 1);
  await page.getByRole('button', { name: 'Columns' }).click();
  t.is(await page.getByRole('menuitemcheckbox', { name: 'User ID' }).getAttribute('aria-checked'), 'false');
  await page.getByRole('menuitemcheckbox', { name: 'User ID' }).click();
  await page.keyboard.press('Escape');
  await grid(page).getByRole('columnheader', { name: 'User ID' }).waitFor();
  t.pass();
});

test.serial(
  'paging: next and previous pages by cursor, the page size chosen, and the page kept in the URL',
  async (t) => {
    const fam = family('Page');
    const users = await makeUsers(fam, 12);
    const newest = users.map((u) => u.name).reverse();
    const { page } = await c.signIn('admin');
    await openUsers(page, `?q=${fam}`);
    await choose(page, 'Users per page', '10');
    await waitForNames(page, newest.slice(0, 10));
    t.regex(page.url(), /limit=10/);
    await page.getByRole('button', { name: 'Next page' }).click();
    await waitForNames(page, newest.slice(10));
    t.true(await page.getByRole('button', { name: 'Next page' }).isDisabled());
    await page.reload();
    await waitForNames(page, newest.slice(10));
    await page.getByText('Page 2').waitFor();
    await page.getByRole('button', { name: 'Previous page' }).click();
    await waitForNames(page, newest.slice(0, 10));
    t.true(await page.getByRole('button', { name: 'Previous page' }).isDisabled());
  },
);

test.serial(
  'bulk action on selected rows: the count confirmed in a dialog, then the result and the grid updated',
  async (t) => {
    const fam = family('Bulk');
    const users = await makeUsers(fam, 3);
    const { page } = await c.signIn('admin');
    await openUsers(page, `?q=${fam}`);
    await waitForNames(page, users.map((u) => u.name).reverse());
    await page.getByRole('checkbox', { name: `Select ${users[0]!.name}` }).check();
    await page.getByRole('checkbox', { name: `Select ${users[1]!.name}` }).check();
    await page.getByText('2 users selected').waitFor();
    await page.getByRole('button', { name: 'Bulk actions' }).click();
    await page.getByRole('menuitem', { name: 'Deactivate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deactivate 2 users?' });
    await dialog.getByText('Their sessions and tokens end now.').waitFor();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').filter({ hasText: 'Deactivate finished: 2 done, 0 refused.' }).waitFor();
    const row = (name: string) => grid(page).getByRole('row').filter({ hasText: name });
    await row(users[0]!.name).getByText('Inactive').waitFor();
    await row(users[1]!.name).getByText('Inactive').waitFor();
    t.is(await row(users[2]!.name).getByText('Active', { exact: true }).count(), 1);
    const statuses = await c.server
      .db('users')
      .whereIn(
        'id',
        users.map((u) => u.id),
      )
      .orderBy('family_name')
      .pluck('status');
    t.deepEqual(statuses.sort(), ['active', 'inactive', 'inactive']);
  },
);

test.serial(
  'select all matching the filter: the count confirmed, the bulk action run as a job with its progress, every user changed',
  async (t) => {
    const fam = family('All');
    const users = await makeUsers(fam, 12);
    const { page } = await c.signIn('admin');
    await openUsers(page, `?q=${fam}&limit=10`);
    await waitForNames(
      page,
      users
        .map((u) => u.name)
        .reverse()
        .slice(0, 10),
    );
    await page.getByRole('checkbox', { name: 'Select all rows on this page' }).check();
    await page.getByText('10 users selected').waitFor();
    await page.getByRole('button', { name: 'Select all 12 users matching this filter' }).click();
    await page.getByText('All 12 users matching this filter selected').waitFor();
    await page.getByRole('button', { name: 'Bulk actions' }).click();
    await page.getByRole('menuitem', { name: 'Add tag' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a tag to 12 users?' });
    await dialog.getByRole('textbox', { name: 'Tag' }).fill('leaver');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    // More than BULK_SYNC_LIMIT (5): a job, followed until it ends.
    await page.getByRole('progressbar', { name: 'Add tag progress' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Add tag finished: 12 done, 0 refused.' }).waitFor();
    const tagged = await c.server
      .db('users')
      .whereIn(
        'id',
        users.map((u) => u.id),
      )
      .pluck('tags');
    t.deepEqual(
      tagged.map((tags) => (typeof tags === 'string' ? JSON.parse(tags) : tags)),
      users.map(() => ['leaver']),
    );
    const jobs = await c.server.db('bulk_jobs').where({ action: 'tags.add' }).select('total', 'status');
    t.deepEqual(jobs, [{ total: 12, status: 'succeeded' }]);
    await page.getByRole('region', { name: 'Selection' }).waitFor({ state: 'detached' });
  },
);

test.serial(
  'add user with an invitation and a personal message: created, mailed, and a taken email shown in the form',
  async (t) => {
    const fam = family('Added');
    const email = `grace.${fam}@example.com`.toLowerCase();
    const { page } = await c.signIn('admin');
    await openUsers(page);
    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add user' });
    await dialog.getByRole('textbox', { name: 'Email' }).fill(email);
    await dialog.getByRole('textbox', { name: 'Given name' }).fill('Grace');
    await dialog.getByRole('textbox', { name: 'Family name' }).fill(fam);
    await choose(page, 'Role', 'Manager');
    t.true(await dialog.getByRole('checkbox', { name: 'Send invitation' }).isChecked());
    await dialog.getByRole('textbox', { name: 'Personal message (optional)' }).fill('Welcome aboard, Grace!');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(`Grace ${fam} added`).waitFor();

    const user = await c.server.db('users').where({ email }).first();
    t.is(user.main_role, 'manager');
    t.is(user.given_name, 'Grace');
    const [mail] = await c.server.repos.outbox.list(5, email);
    t.truthy(mail, 'an invitation mail');
    t.regex(mail!.text, /Welcome aboard, Grace!/);

    // The same email again: the API's refusal on the Email field, nothing created.
    await page.getByRole('button', { name: 'Add user' }).click();
    await dialog.getByRole('textbox', { name: 'Email' }).fill(email);
    await dialog.getByText('Send invitation', { exact: true }).click();
    t.false(await dialog.getByRole('checkbox', { name: 'Send invitation' }).isChecked());
    t.is(await dialog.getByRole('textbox', { name: 'Personal message (optional)' }).count(), 0);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('A user with this email already exists.').waitFor();
    t.is(await dialog.getByRole('textbox', { name: 'Email' }).getAttribute('aria-invalid'), 'true');
    t.is(Number((await c.server.db('users').where({ email }).count('* as n'))[0]!.n), 1);
  },
);

test.serial('approve a pending user from the grid: confirmed, active, and told by mail', async (t) => {
  const fam = family('Pending');
  const [pending] = await makeUsers(fam, 1, { status: 'pending' });
  const { page } = await c.signIn('hr');
  await openUsers(page, `?q=${fam}`);
  await waitForNames(page, [pending!.name]);
  await page.getByRole('button', { name: `Approve ${pending!.name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Approve ${pending!.name}?` });
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText(`${pending!.name} approved`).waitFor();
  await grid(page).getByRole('row').filter({ hasText: pending!.name }).getByText('Active', { exact: true }).waitFor();
  t.is(await page.getByRole('button', { name: `Approve ${pending!.name}` }).count(), 0);
  t.is((await c.server.db('users').where({ id: pending!.id }).first()).status, 'active');
  t.is((await c.server.repos.outbox.list(5, pending!.email)).length, 1);
});

test.serial('export: the current filter downloaded as CSV, one row per user the grid shows', async (t) => {
  const fam = family('Export');
  const users = await makeUsers(fam, 3);
  await makeUsers(`${fam}i`, 1, { status: 'inactive' });
  const { page } = await c.signIn('admin');
  await openUsers(page, `?q=${fam}&status=active`);
  await waitForNames(page, users.map((u) => u.name).reverse());
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  t.regex(download.suggestedFilename(), /^users-\d{4}-\d\d-\d\d\.csv$/);
  const text = (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
  const [header, ...rows] = text.trim().split(/\r?\n/);
  t.regex(header!, /email/);
  t.is(rows.length, 3);
  for (const u of users)
    t.true(
      rows.some((r) => r.includes(u.email)),
      u.email,
    );
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export XLSX' }).click(),
  ]);
  t.regex(xlsx.suggestedFilename(), /\.xlsx$/);
});

test.serial('what a role may not do is not offered: hr has no Add user, no export and no bulk delete', async (t) => {
  const fam = family('Roles');
  const [user] = await makeUsers(fam, 1);
  const { page } = await c.signIn('hr');
  await openUsers(page, `?q=${fam}`);
  await waitForNames(page, [user!.name]);
  t.is(await page.getByRole('button', { name: 'Add user' }).count(), 0);
  t.is(await page.getByRole('button', { name: 'Export CSV' }).count(), 0);
  await page.getByRole('checkbox', { name: `Select ${user!.name}` }).check();
  await page.getByRole('button', { name: 'Bulk actions' }).click();
  const offered = await page.getByRole('menuitem').allInnerTexts();
  t.true(offered.includes('Deactivate'));
  t.false(offered.includes('Delete'));
  t.false(offered.includes('Restore'));
  await page.keyboard.press('Escape');

  // An admin is offered all of them.
  const admin = await c.signIn('admin');
  await openUsers(admin.page, `?q=${fam}`);
  await waitForNames(admin.page, [user!.name]);
  await admin.page.getByRole('checkbox', { name: `Select ${user!.name}` }).check();
  await admin.page.getByRole('button', { name: 'Bulk actions' }).click();
  t.true((await admin.page.getByRole('menuitem').allInnerTexts()).includes('Delete'));
  t.is(await admin.page.getByRole('button', { name: 'Add user' }).count(), 1);
});

test.serial(
  'the grid has no accessibility violations (axe-core), with its filters and dialogs open, and fits 375 px',
  async (t) => {
    const fam = family('Axe');
    await makeUsers(fam, 2);
    await makeUsers(`${fam}p`, 1, { status: 'pending' });
    const { page } = await c.signIn('admin', { viewport: { width: 375, height: 800 } });
    await openUsers(page, `?q=${fam}`);
    await grid(page)
      .getByRole('button', { name: /^Approve / })
      .waitFor();
    await page.getByText('Filters', { exact: true }).click();
    await page.getByRole('checkbox', { name: 'Select all rows on this page' }).check();
    t.deepEqual(await axeViolations(page), []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    t.true(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('dialog', { name: 'Add user' }).waitFor();
    t.deepEqual(await axeViolations(page), []);
    t.deepEqual(await cspViolations(page), []);
  },
);

test.serial('keyboard: Tab goes through the row checkboxes and name links; Space selects a row', async (t) => {
  const fam = family('Keys');
  const users = await makeUsers(fam, 2);
  const [first, second] = users.map((u) => u.name).reverse();
  const { page } = await c.signIn('admin');
  await openUsers(page, `?q=${fam}`);
  await waitForNames(page, [first!, second!]);
  await page.getByRole('checkbox', { name: 'Select all rows on this page' }).focus();
  const focused = () =>
    page.evaluate(() => {
      const e = document.activeElement as HTMLElement;
      return e.getAttribute('aria-label') ?? e.textContent?.trim() ?? '';
    });
  const seen: string[] = [];
  for (let i = 0; i < 12 && !seen.includes(second!); i++) {
    await page.keyboard.press('Tab');
    seen.push(await focused());
  }
  const from = seen.indexOf(`Select ${first}`);
  t.true(from >= 0, JSON.stringify(seen));
  t.deepEqual(seen.slice(from, from + 4), [`Select ${first}`, first, `Select ${second}`, second]);
  await page.getByRole('checkbox', { name: `Select ${first}` }).focus();
  await page.keyboard.press('Space');
  await page.getByText('1 user selected').waitFor();
  t.true(await page.getByRole('checkbox', { name: `Select ${first}` }).isChecked());
});
