import test from 'ava';
import type { Page } from 'playwright-core';
import { axeViolations, consolePerFile } from '../helpers/console.js';
import { arranger } from '../helpers/arranger.js';

/*
 * Workflow 8, the audit log: filter by actor, target, action and time; each event's
 * old and new values behind a disclosure; an impersonating admin named with the user
 * they acted as; paging.
 */
const c = consolePerFile(test);

let n = 0;
const target = (given: string) =>
  c.server.createUser({ givenName: given, familyName: `Target${++n}x${Date.now().toString(36)}` });

async function filterByTarget(page: Page, search: string) {
  await page.getByRole('combobox', { name: 'Target user' }).fill(search);
  await page.getByRole('option', { name: new RegExp(search) }).click();
  await page.getByRole('button', { name: 'Apply filters' }).click();
}
const events = (page: Page) => page.getByRole('table', { name: 'Audit events' });
/** The events' rows (not the rows of the old-and-new tables inside them). */
const rowsOf = (page: Page) => events(page).locator(':scope > tbody > tr');
const ROWS = 'table[aria-label="Audit events"] > tbody > tr';
/** Waits until every event shown mentions `text` (the filters applied). */
const waitForEveryRow = (page: Page, text: string) =>
  page.waitForFunction(
    ([rows, t]) => {
      const shown = [...document.querySelectorAll(rows)];
      return shown.length > 0 && shown.every((r) => r.textContent?.includes(t));
    },
    [ROWS, text] as const,
  );
/** Waits until the page shows `count` events. */
const waitForRows = (page: Page, count: number) =>
  page.waitForFunction(([rows, n]) => document.querySelectorAll(rows).length === n, [ROWS, count] as const);

test.serial(
  'an event of an impersonating admin names both ("Ada Admin as Bob User"); its old and new values open on demand',
  async (t) => {
    const { page, user: admin } = await c.signIn('admin');
    const bob = await target('Bob');
    await c.server.container.admin.users.update(bob.id, { jobTitle: 'Analyst' }, undefined, arranger(admin));
    // What the admin did while acting as Bob (an impersonation's token names both: the admin acts, on Bob's behalf).
    await c.server.repos.audit.insert({
      actor: { type: 'user', id: admin.id, onBehalfOf: bob.id },
      action: 'user.updated',
      targetType: 'user',
      targetId: bob.id,
      changes: { department: ['Ops', 'Sales'] },
    });
    const bobName = (await c.server.repos.users.findById(bob.id))!.familyName!;

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await filterByTarget(page, bobName);
    const impersonated = rowsOf(page).filter({ hasText: ' as ' });
    await impersonated.getByText(`${admin.displayName} as Bob ${bobName}`).waitFor();

    const values = impersonated.getByRole('table', { name: 'Old and new values' });
    t.false(await values.isVisible());
    await impersonated.getByText('Show 1 change').click();
    t.regex(await values.innerText(), /department\s+Ops\s+Sales/);

    const direct = rowsOf(page).filter({ hasText: 'Analyst' });
    await direct.getByText('Show 1 change').click();
    t.regex(await direct.innerText(), new RegExp(`${admin.displayName}\\s+user.updated\\s+Bob ${bobName}`));
    t.regex(await direct.getByRole('table', { name: 'Old and new values' }).innerText(), /jobTitle\s+—\s+Analyst/);
  },
);

test.serial('filters: by target, action, actor and time; a malformed action is explained', async (t) => {
  const { page, user: admin } = await c.signIn('admin');
  const carla = await target('Carla');
  const other = await c.server.createUser({
    role: 'admin',
    givenName: 'Olga',
    familyName: `Other${Date.now().toString(36)}`,
  });
  await c.server.container.admin.users.update(carla.id, { jobTitle: 'Lead' }, undefined, arranger(admin));
  await c.server.container.admin.users.update(carla.id, { jobTitle: 'Head' }, undefined, arranger(other));
  const carlaName = (await c.server.repos.users.findById(carla.id))!.familyName!;

  await page.goto(`${c.server.url}/admin/audit`);
  await filterByTarget(page, carlaName);
  await waitForEveryRow(page, carlaName);

  // A prefix ends in ".*": anything else is refused, and the page says why.
  await page.getByLabel('Action').fill('user.upd*');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  t.regex(await page.getByRole('alert').innerText(), /prefix/);
  await page.getByLabel('Action').fill('user.updated');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await waitForEveryRow(page, 'user.updated');
  t.is(await rowsOf(page).count(), 2);

  await page.getByRole('combobox', { name: 'Actor' }).fill(other.email);
  await page.getByRole('option', { name: new RegExp(other.email) }).click();
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await waitForRows(page, 1);
  t.regex(await rowsOf(page).innerText(), /Olga/);

  // From tomorrow on: nothing yet.
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
  await page.getByLabel('From').fill(tomorrow);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await events(page).getByText('No events match.').waitFor();

  await page.getByRole('button', { name: 'Clear filters' }).click();
  t.is(await page.getByLabel('Action').inputValue(), '');
  await rowsOf(page).nth(1).waitFor();
});

test.serial('paging: older events, then back to the newer ones', async (t) => {
  const { page } = await c.signIn('admin');
  const dan = await target('Dan');
  for (let i = 0; i < 55; i++)
    await c.server.repos.audit.insert({
      actor: { type: 'system', name: 'Gatehouse' },
      action: 'user.updated',
      targetType: 'user',
      targetId: dan.id,
      changes: { nickName: [`n${i}`, `n${i + 1}`] },
    });
  const danName = (await c.server.repos.users.findById(dan.id))!.familyName!;
  await page.goto(`${c.server.url}/admin/audit`);
  await filterByTarget(page, danName);
  await waitForRows(page, 50);
  await page.getByRole('button', { name: 'Older events' }).click();
  // The rest: the 5 oldest updates and the user's creation.
  await waitForRows(page, 6);
  t.true(await page.getByRole('button', { name: 'Older events' }).isDisabled());
  await page.getByRole('button', { name: 'Newer events' }).click();
  await waitForRows(page, 50);
  t.true(await page.getByRole('button', { name: 'Newer events' }).isDisabled());
});

test.serial('an hr user is not offered the audit log', async (t) => {
  const { page } = await c.signIn('hr');
  t.is(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).count(), 0);
  await page.goto(`${c.server.url}/admin/audit`);
  await page.getByText(/Your role may not do this \(audit\.read\)/).waitFor();
  t.is(await page.getByRole('table', { name: 'Audit events' }).count(), 0);
});

test.serial('the audit log has no accessibility violations and fits 375 px', async (t) => {
  const { page } = await c.signIn('admin', { viewport: { width: 375, height: 800 } });
  await page.goto(`${c.server.url}/admin/audit`);
  await rowsOf(page).nth(1).waitFor();
  await events(page).getByText(/^Show/).first().click();
  t.deepEqual(await axeViolations(page), []);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  t.true(overflow <= 0, `the page is ${overflow}px wider than the screen`);
});
