import { readFile } from 'node:fs/promises';
import test from 'ava';
import type { Page } from 'playwright-core';
import { axeViolations, consolePerFile } from '../helpers/console.js';

/*
 * Workflow 6a, import: upload a CSV, choose the key and the mode, a dry run lists the
 * bad rows and writes nothing, the import creates the good rows with its progress
 * shown, and the errors file downloads.
 */
const c = consolePerFile(test);

const stamp = Date.now().toString(36);
const EMAILS = [`ivy-${stamp}@example.com`, `jon-${stamp}@example.com`];
const CSV = [
  'email,givenName,familyName',
  `${EMAILS[0]},Ivy,Imported`,
  'not-an-email,Bad,Row',
  `${EMAILS[1]},Jon,Imported`,
].join('\n');

async function upload(page: Page) {
  await page
    .getByLabel('CSV file')
    .setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await page.getByRole('button', { name: /Mode$/ }).click();
  await page.getByRole('option', { name: 'Add new users only' }).click();
}

const exists = async (email: string) => Boolean(await c.server.repos.users.findByAnyIdentifier(email));

test.serial(
  'a dry run shows the bad row and writes nothing; the import creates the two good users; the errors file downloads',
  async (t) => {
    const { page } = await c.signIn('admin', { acceptDownloads: true });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Import users', level: 1 }).waitFor();
    await upload(page);

    await page.getByRole('button', { name: 'Dry run' }).click();
    const errors = page.getByRole('table', { name: 'Row errors' });
    const bad = errors.getByRole('row').filter({ hasText: 'email' });
    await bad.first().waitFor();
    t.is(await errors.getByRole('row').count(), 2, 'a header and the one bad row');
    t.regex(await bad.first().innerText(), /^2\s/);
    t.regex(await page.getByText(/rows checked/).innerText(), /Finished: 3 of 3 rows checked/);
    t.false(await exists(EMAILS[0]!));

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { name: 'Import', exact: true, level: 2 }).waitFor();
    await page.getByText(/Finished: 3 of 3 rows checked/).waitFor();
    const progress = page.getByLabel('Import progress');
    t.is(await progress.getAttribute('value'), await progress.getAttribute('max'));
    t.regex(await page.locator('.import-result dl').innerText(), /Created\s+2\s+Updated\s+0\s+Bad rows\s+1/);
    t.true(await exists(EMAILS[0]!));
    t.true(await exists(EMAILS[1]!));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download errors file' }).click(),
    ]);
    t.regex(download.suggestedFilename(), /^import-.*-errors\.csv$/);
    const file = await readFile((await download.path())!, 'utf8');
    t.regex(file, /^row,column,code,message\r?\n2,email,/);

    // The recent imports list has both runs, newest first.
    const recent = page.getByRole('table', { name: 'Recent imports' });
    const rows = recent.getByRole('row');
    await rows.nth(2).waitFor();
    t.regex(await rows.nth(1).innerText(), /Import/);
    t.regex(await rows.nth(2).innerText(), /Dry run/);
  },
);

test.serial('a file without a usable header is refused with the reason', async (t) => {
  const { page } = await c.signIn('admin');
  await page.goto(`${c.server.url}/admin/import`);
  await page
    .getByLabel('CSV file')
    .setInputFiles({ name: 'x.csv', mimeType: 'text/csv', buffer: Buffer.from('foo,bar\n1,2\n') });
  await page.getByRole('button', { name: 'Dry run' }).click();
  t.regex(await page.getByRole('alert').first().innerText(), /column|header/i);
});

test.serial('an hr user is not offered the import: no link, and the page says their role may not', async (t) => {
  const { page } = await c.signIn('hr');
  t.is(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import' }).count(), 0);
  await page.goto(`${c.server.url}/admin/import`);
  await page.getByText(/Your role may not do this \(users\.import\)/).waitFor();
  t.is(await page.getByLabel('CSV file').count(), 0);
});

test.serial('the import page has no accessibility violations and fits 375 px', async (t) => {
  const { page } = await c.signIn('admin', { viewport: { width: 375, height: 800 } });
  await page.goto(`${c.server.url}/admin/import`);
  await page.getByRole('table', { name: 'Recent imports' }).waitFor();
  await upload(page);
  await page.getByRole('button', { name: 'Dry run' }).click();
  await page.getByRole('table', { name: 'Row errors' }).getByRole('row').nth(1).waitFor();
  t.deepEqual(await axeViolations(page), []);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  t.true(overflow <= 0, `the page is ${overflow}px wider than the screen`);
});
