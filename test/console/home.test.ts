import test from 'ava';
import type { Page } from 'playwright-core';
import { adminApiOn } from '../helpers/admin.js';
import { axeViolations, cspViolations, consolePerFile } from '../helpers/console.js';
import { perFile } from '../helpers/per-file.js';

/*
 * The home page (issue 15, workflow 11): what needs attention, each a card with its
 * count linking to the users grid filtered the same way (or to the imports).
 */
const c = consolePerFile(test);
const api = perFile(test, () => adminApiOn(c.server));
const CSV = { 'content-type': 'text/csv' };

/** A card's figure, read once it is counted. */
async function figure(page: Page, title: string): Promise<{ count: number; href: string | null }> {
  const link = page.getByRole('link', { name: new RegExp(`^\\d+ ${title}$`) });
  await link.waitFor();
  return { count: Number(((await link.textContent()) ?? '').split(/\s/)[0]), href: await link.getAttribute('href') };
}

test.serial(
  'the cards count pending approvals, locked users, users who never signed in and failed imports',
  async (t) => {
    const admin = await api.as('super_admin');
    // Everyone made so far signed in; these have not.
    for (const status of ['pending', 'pending', 'locked', 'active'] as const) await c.server.createUser({ status });
    const imported = await admin.api(
      'POST',
      '/imports?key=email&mode=add',
      'email\nnot-an-email\nok-import@example.com\n',
      CSV,
    );
    t.is(imported.status, 201, JSON.stringify(imported.body));
    t.is(imported.body.failed, 1);
    const dryRun = await admin.api('POST', '/imports?key=email&mode=add&dryRun=true', 'email\nbad\n', CSV);
    t.is(dryRun.body.failed, 1, 'a dry run with a bad row is not a failed import');

    const { page } = await c.signIn('super_admin');
    await page.getByRole('heading', { name: 'What needs attention', level: 1 }).waitFor();
    t.deepEqual(await figure(page, 'Pending approvals'), { count: 2, href: '/admin/users?status=pending' });
    t.deepEqual(await figure(page, 'Locked users'), { count: 1, href: '/admin/users?status=locked' });
    // The four above and the imported user.
    t.deepEqual(await figure(page, 'Never signed in'), { count: 5, href: '/admin/users?neverSignedIn=true' });
    t.deepEqual(await figure(page, 'Failed imports'), { count: 1, href: '/admin/import' });

    await page.getByRole('link', { name: /Locked users$/ }).click();
    await page.waitForURL(/\/admin\/users\?status=locked$/);
    t.deepEqual(await cspViolations(page), []);
  },
);

test.serial('an hr user sees the user cards but not the imports', async (t) => {
  const { page } = await c.signIn('hr');
  await figure(page, 'Pending approvals');
  t.is(await page.getByRole('link', { name: /Failed imports$/ }).count(), 0);
});

test.serial('the home page: no accessibility violations (axe-core), no horizontal overflow at 375 px', async (t) => {
  const { page } = await c.signIn('super_admin', { viewport: { width: 375, height: 800 } });
  await figure(page, 'Failed imports');
  t.deepEqual(await axeViolations(page), []);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  t.true(overflow <= 0, `the page is ${overflow}px wider than the screen`);
});
