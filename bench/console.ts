/**
 * The administration console's users grid with a large directory, measured in Chromium.
 *
 *   npm run bench:console
 *
 * What it does:
 *   1. builds the console if its sources changed (scripts/ensure-console.mjs);
 *   2. drops and recreates the database, runs the migrations (the container, once) and makes
 *      one admin with a password; loads BENCH_USERS users with set-based SQL (bench/lib/directory.ts,
 *      the directory bench/admin.ts measures the API on);
 *   3. starts `node --import tsx src/main.ts` (NODE_ENV=production, no MFA required) and Debian's
 *      Chromium (test/helpers/chromium.ts);
 *   4. measures, each BENCH_RUNS times (median and p95):
 *        first page   from pressing "Sign in" on Gatehouse's page (deep link /admin/users) to the
 *                     grid's first rows on the screen: the redirects, the code exchange, the
 *                     console's scripts and GET /users (a new browser context each run);
 *        filter       a search typed and sent with Enter (a different family-name prefix each run,
 *                     so no answer comes from the cache), to the rows shown;
 *        status       the Status filter set to another status (each once), to the rows shown;
 *        sort         a column header pressed (Email, User ID, Last sign-in, Created: both ways);
 *        next page    "Next page" pressed (a new cursor each time);
 *      "shown" is the grid's performance mark `users-shown` (set once the rows of the new query
 *      are rendered), read in the page against performance.now() taken just before the action;
 *   5. prints the figures against the targets (first page < 1 s, changes < 300 ms), and the
 *      console bundle (gzip): what the first screen loaded (entry, stylesheet, users chunk)
 *      against every asset; drops the database.
 *
 * Settings (environment):
 *   BENCH_USERS=100000  BENCH_RUNS=10  BENCH_PORT=3930  BENCH_DB=gatehouse_bench_console
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_KEEP_DB=1 (keep the database)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium.js';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { FAMILY_NAMES, loadDirectory } from './lib/directory.js';
import { envNumber as num } from './lib/env-number.js';
import { percentile } from './lib/percentile.js';
import { createServerProcess } from './lib/server-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const USERS = Math.max(100, Math.floor(num('BENCH_USERS', 100_000)));
const RUNS = Math.max(1, Math.floor(num('BENCH_RUNS', 10)));
const PORT = num('BENCH_PORT', 3930);
const PG_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DB ?? 'gatehouse_bench_console';
const ISSUER = `http://127.0.0.1:${PORT}`;
const ADMIN_EMAIL = 'bench-admin@bench.test';
const PASSWORD = 'violet-harbour-47-lantern';
const FIRST_PAGE_TARGET_MS = 1000;
const CHANGE_TARGET_MS = 300;
const STATUSES = ['New', 'Inactive', 'Active', 'Pending approval', 'Locked', 'Imported'];
const SORTS = ['Email', 'User ID', 'Last sign-in', 'Created'];

const server = createServerProcess();

interface Figure {
  label: string;
  times: number[];
  target: number;
}

async function main() {
  server.killOnSignals();
  console.log(
    `Gatehouse console benchmark — ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `Node ${process.version}; ${USERS.toLocaleString('en')} users; ${RUNS} runs; load average ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
  );
  execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-console.mjs')], { stdio: 'inherit' });
  const figures: Figure[] = [];
  let browser: Browser | undefined;
  try {
    const dbUrl = await recreateDatabase(PG_URL, DB_NAME);
    const serverEnv: Record<string, string> = {
      DATABASE_URL: dbUrl,
      PORT: String(PORT),
      ISSUER,
      GATEHOUSE_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      LOG_LEVEL: 'warn',
      MFA_REQUIRED_ROLES: '',
    };
    await makeAdmin(serverEnv);
    process.stdout.write(`loading ${USERS.toLocaleString('en')} users with set-based SQL … `);
    const load = await loadDirectory(dbUrl, USERS);
    console.log(`${(load.ms / 1000).toFixed(1)} s; database ${load.size}`);
    await server.start({
      root: ROOT,
      env: { ...env, ...serverEnv, NODE_ENV: 'production' },
      issuer: ISSUER,
      pin: false,
    });
    browser = await launchChromium();

    const loaded = new Set<string>();
    const first: number[] = [];
    let page: Page | undefined;
    for (let i = 0; i < RUNS; i++) {
      await page?.context().close();
      page = await (await browser.newContext()).newPage();
      if (i === 0) page.on('response', (r) => r.url().includes('/admin/assets/') && loaded.add(r.url()));
      first.push(await signInToGrid(page));
    }
    figures.push({ label: 'first page after sign-in', times: first, target: FIRST_PAGE_TARGET_MS });
    const p = page!;

    const prefixes = [...new Set(FAMILY_NAMES.map((f) => f.slice(0, 3).toLowerCase()))]
      .filter((prefix) => !'user@bench.example'.includes(prefix))
      .slice(0, RUNS);
    const search = p.getByRole('searchbox', { name: 'Search users' });
    figures.push({
      label: 'filter: search (Enter)',
      times: await each(prefixes, (prefix) =>
        timed(p, async () => {
          await search.fill(prefix);
          await search.press('Enter');
        }),
      ),
      target: CHANGE_TARGET_MS,
    });
    await search.fill('');
    await search.press('Enter');
    await p.getByText('Filters', { exact: true }).click();
    figures.push({
      label: 'filter: status',
      times: await each(STATUSES, async (status) => {
        await p.getByRole('button', { name: /Status$/ }).click();
        return timed(p, () => p.getByRole('option', { name: status, exact: true }).click());
      }),
      target: CHANGE_TARGET_MS,
    });
    await p.getByRole('button', { name: /Status$/ }).click();
    await p.getByRole('option', { name: 'Any', exact: true }).click();
    const header = (name: string) =>
      p.getByRole('table', { name: 'Users' }).getByRole('columnheader', { name }).getByRole('button');
    figures.push({
      label: 'sort',
      times: await each(
        SORTS.flatMap((s) => [s, s]),
        (name) => timed(p, () => header(name).click()),
      ),
      target: CHANGE_TARGET_MS,
    });
    figures.push({
      label: 'next page',
      times: await each(
        Array.from({ length: RUNS }, (_, i) => i),
        () => timed(p, () => p.getByRole('button', { name: 'Next page' }).click()),
      ),
      target: CHANGE_TARGET_MS,
    });
    report(figures, loaded);
  } finally {
    await browser?.close().catch(() => {});
    await server.kill();
    if (env.BENCH_KEEP_DB !== '1') await dropDatabase(PG_URL, DB_NAME).catch(() => {});
  }
}

/** Runs the migrations (by creating the container) and makes the admin. */
async function makeAdmin(serverEnv: Record<string, string>) {
  const { benchAdmin, withBenchContainer } = await import('./lib/container.js');
  await withBenchContainer({ ...env, ...serverEnv }, (c, actor) =>
    c.identity.create(benchAdmin(ADMIN_EMAIL, PASSWORD), actor),
  );
}

/** A deep link to the grid, Gatehouse's sign-in page, then the wall time from "Sign in" to the rows. */
async function signInToGrid(page: Page): Promise<number> {
  await page.goto(`${ISSUER}/admin/users`);
  await page.getByLabel('Email or User ID', { exact: true }).fill(ADMIN_EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  const t0 = performance.now();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('table', { name: 'Users' }).locator('tbody tr td a').first().waitFor({ timeout: 60_000 });
  return performance.now() - t0;
}

/** In the page: from just before `act` to the next `users-shown` mark (the new rows rendered). */
async function timed(page: Page, act: () => Promise<void>): Promise<number> {
  const t0 = await page.evaluate(() => performance.now());
  await act();
  const shown = await page.waitForFunction(
    (after) => performance.getEntriesByName('users-shown').find((e) => e.startTime > after)?.startTime,
    t0,
    { timeout: 60_000, polling: 'raf' },
  );
  return ((await shown.jsonValue()) as number) - t0;
}

async function each<T>(items: readonly T[], run: (item: T) => Promise<number>): Promise<number[]> {
  const times: number[] = [];
  for (const item of items) times.push(await run(item));
  return times;
}

function report(figures: Figure[], loaded: Set<string>) {
  console.log('\nmeasure                     runs   median      p95   target   met');
  for (const f of figures) {
    const sorted = [...f.times].sort((a, b) => a - b);
    const median = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    console.log(
      `${f.label.padEnd(26)} ${String(sorted.length).padStart(5)} ${ms(median)} ${ms(p95)} ${ms(f.target)}   ${p95 < f.target ? 'yes' : 'NO'}`,
    );
  }
  const dir = join(ROOT, 'console/dist/assets');
  const gzip = (file: string) => gzipSync(readFileSync(join(dir, file))).length;
  const all = readdirSync(dir);
  const firstScreen = all.filter((file) => [...loaded].some((url) => url.endsWith(`/${file}`)));
  const kb = (files: string[]) => `${(files.reduce((sum, f) => sum + gzip(f), 0) / 1024).toFixed(1)} KiB`;
  console.log(
    `\nconsole bundle (gzip): first screen (users grid) ${kb(firstScreen)} in ${firstScreen.length} files (${firstScreen.join(', ')}); all assets ${kb(all)} in ${all.length} files`,
  );
}

const ms = (v: number) => `${v.toFixed(0).padStart(6)} ms`;

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
