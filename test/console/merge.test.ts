import test from 'ava';
import type { Page } from 'playwright-core';
import { axeViolations, consolePerFile } from '../helpers/console.js';
import { arranger } from '../helpers/arranger.js';

/*
 * Workflow 5, merge duplicates: pick two users, see them side by side with their
 * differences marked, choose which to keep, confirm; a conflict is shown plainly.
 */
const c = consolePerFile(test);

const ARRANGER = arranger();
let n = 0;
/** Two users of the same person: same names, their own emails; `extra` sets fields on each. */
async function duplicates(extra: { keep?: Record<string, string>; merge?: Record<string, string> } = {}) {
  const family = `Twin${++n}x${Date.now().toString(36)}`;
  const keep = await c.server.createUser({ givenName: 'Dora', familyName: family });
  const merge = await c.server.createUser({ givenName: 'Dora', familyName: family });
  const admin = c.server.container.admin.users;
  if (extra.keep) await admin.update(keep.id, extra.keep, undefined, ARRANGER);
  if (extra.merge) await admin.update(merge.id, extra.merge, undefined, ARRANGER);
  return { keep, merge, family };
}

const row = (page: Page, field: string) =>
  page.getByRole('table', { name: 'The two users side by side' }).getByRole('row', { name: new RegExp(`^${field}`) });

test.serial('an admin picks two users, sees their differences, swaps which to keep and merges them', async (t) => {
  const { keep, merge, family } = await duplicates({ keep: { jobTitle: 'Analyst' }, merge: { department: 'Sales' } });
  const { page } = await c.signIn('admin');
  await page.goto(`${c.server.url}/admin/users/merge`);
  await page.getByRole('heading', { name: 'Merge duplicates', level: 1 }).waitFor();

  await page.getByRole('combobox', { name: 'User to keep' }).fill(merge.email);
  await page.getByRole('option', { name: new RegExp(merge.email) }).click();
  await page.getByRole('combobox', { name: 'Duplicate to merge' }).fill(keep.email);
  await page.getByRole('option', { name: new RegExp(keep.email) }).click();

  await row(page, 'Email').waitFor();
  t.regex(await row(page, 'Email').innerText(), /differs/);
  t.regex(await row(page, 'Job title').innerText(), /differs/);
  t.notRegex(await row(page, 'Family name').innerText(), /differs/);

  // The other one is the one to keep.
  await page.getByRole('button', { name: `Keep Dora ${family} instead` }).click();
  await page.waitForURL(
    (url) => url.searchParams.get('keep') === keep.id && url.searchParams.get('merge') === merge.id,
  );
  t.regex(await row(page, 'Email').innerText(), new RegExp(`${keep.email}.*${merge.email}`, 's'));

  await page.getByRole('button', { name: 'Merge', exact: true }).click();
  const dialog = page.getByRole('dialog');
  t.regex(await dialog.innerText(), /removed for good/);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL(`**/admin/users/${keep.id}`);

  t.is(await c.server.repos.users.findById(merge.id), undefined);
  const kept = await c.server.repos.users.findById(keep.id);
  t.like(kept, { jobTitle: 'Analyst', department: 'Sales' });
});

test.serial('a conflict is shown plainly: both values of the field, and nothing is merged', async (t) => {
  const { keep, merge } = await duplicates({ keep: { externalId: 'hr-100' }, merge: { externalId: 'hr-200' } });
  const { page } = await c.signIn('admin');
  await page.goto(`${c.server.url}/admin/users/merge?keep=${keep.id}&merge=${merge.id}`);
  t.regex(await row(page, 'External ID').innerText(), /differs/);
  await page.getByRole('button', { name: 'Merge', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.innerText();
  t.regex(text, /differ in externalId/);
  t.regex(text, /“hr-100”/);
  t.regex(text, /“hr-200”/);
  t.truthy(await c.server.repos.users.findById(merge.id));
});

test.serial('an hr user is not offered the merge (their role may not merge)', async (t) => {
  const { page } = await c.signIn('hr');
  await page.goto(`${c.server.url}/admin/users/merge`);
  await page.getByText(/Your role may not do this \(users\.merge\)/).waitFor();
  t.is(await page.getByRole('combobox', { name: 'User to keep' }).count(), 0);
});

test.serial('the merge page has no accessibility violations and fits 375 px', async (t) => {
  const { keep, merge } = await duplicates({ keep: { jobTitle: 'Lead' } });
  const { page } = await c.signIn('admin', { viewport: { width: 375, height: 800 } });
  await page.goto(`${c.server.url}/admin/users/merge?keep=${keep.id}&merge=${merge.id}`);
  await row(page, 'Email').waitFor();
  t.deepEqual(await axeViolations(page), []);
  await page.getByRole('button', { name: 'Merge', exact: true }).click();
  await page.getByRole('dialog').waitFor();
  t.deepEqual(await axeViolations(page), []);
  await page.keyboard.press('Escape');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  t.true(overflow <= 0, `the page is ${overflow}px wider than the screen`);
});

test.serial('two users picked in the users grid open side by side on the merge page', async (t) => {
  const { keep, merge, family } = await duplicates();
  const { page } = await c.signIn('admin');
  await page.goto(`${c.server.url}/admin/users?q=${family}`);
  const grid = page.getByRole('table', { name: 'Users' });
  await grid
    .getByRole('link', { name: `Dora ${family}` })
    .first()
    .waitFor();
  await grid
    .getByRole('checkbox', { name: `Select Dora ${family}` })
    .nth(0)
    .check();
  await grid
    .getByRole('checkbox', { name: `Select Dora ${family}` })
    .nth(1)
    .check();
  await page.getByRole('link', { name: 'Merge duplicates' }).click();
  await page.getByRole('heading', { name: 'Merge duplicates', level: 1 }).waitFor();
  await row(page, 'Email').waitFor();
  const emails = await row(page, 'Email').innerText();
  t.regex(emails, new RegExp(keep.email.replace(/[.+]/g, '\\$&')));
  t.regex(emails, new RegExp(merge.email.replace(/[.+]/g, '\\$&')));
});
