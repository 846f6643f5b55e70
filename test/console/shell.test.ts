import test from 'ava';
import { axeViolations, cspViolations, signInOnGatehouse, consolePerFile } from '../helpers/console.js';

/*
 * The console's frame: signing in through Gatehouse's own pages (OIDC, PKCE), the
 * navigation each role is offered, tokens kept out of storage, the CSP and
 * accessibility, sign-out.
 */
const c = consolePerFile(test);

const NAV = ['Users', 'Accounts', 'Groups', 'Audit log', 'Import', 'Settings', 'Applications'];

test('an administrator signs in through Gatehouse and sees the navigation and their name', async (t) => {
  const { page, user } = await c.signIn('super_admin');
  t.is(new URL(page.url()).pathname, '/admin/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  t.deepEqual(await nav.getByRole('link').allInnerTexts(), NAV);
  await page.getByText(user.displayName).waitFor();
  t.deepEqual(await cspViolations(page), []);
});

test('a deep link survives the sign-in: the console opens on the page asked for', async (t) => {
  const user = await c.server.createUser({ role: 'admin' });
  const page = await c.newPage();
  await page.goto(`${c.server.url}/admin/groups`, { waitUntil: 'commit' });
  await page.waitForURL(/\/interaction\//);
  await signInOnGatehouse(page, user.email);
  await page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();
  t.is(new URL(page.url()).pathname, '/admin/groups');
});

test('what a role may not do is not offered: an hr user sees no Settings, Applications, Import or Audit log', async (t) => {
  const { page } = await c.signIn('hr');
  const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
  t.deepEqual(links, ['Users', 'Accounts', 'Groups']);
});

test('a person without an administrative role is refused by the API and offered nothing', async (t) => {
  const { page } = await c.signIn('individual');
  t.deepEqual(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts(), []);
});

test('tokens are kept in memory: nothing in localStorage or sessionStorage after sign-in, no cookie readable by scripts', async (t) => {
  const { page } = await c.signIn('admin');
  const stored = await page.evaluate(() => ({
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage).filter((k) => /token|user/i.test(sessionStorage.getItem(k) ?? '')),
    cookies: document.cookie,
  }));
  t.deepEqual(stored, { local: [], session: [], cookies: '' });
});

test('the page and its assets: hashed assets cached as immutable, the page revalidated, a CSP with nothing inline', async (t) => {
  const page = await fetch(`${c.server.url}/admin/users`);
  t.is(page.status, 200);
  t.is(page.headers.get('cache-control'), 'no-cache');
  const csp = page.headers.get('content-security-policy') ?? '';
  t.regex(csp, /script-src 'self'/);
  t.notRegex(csp, /unsafe-inline/);
  const html = await page.text();
  t.notRegex(html, /<script>|<style[\s>]|\sstyle="/);
  const asset = /src="(\/admin\/assets\/index-[\w-]+\.js)"/.exec(html)?.[1];
  t.truthy(asset, html);
  const js = await fetch(`${c.server.url}${asset}`);
  t.is(js.status, 200);
  t.is(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.regex(js.headers.get('content-type') ?? '', /javascript/);
  t.is((await fetch(`${c.server.url}/admin/assets/nope.js`)).status, 404);
});

test('the admin API is not the console: /admin/api answers JSON, not the page', async (t) => {
  const res = await fetch(`${c.server.url}/admin/api/me`);
  t.is(res.status, 401);
  t.regex(res.headers.get('content-type') ?? '', /json/);
});

test('the home page has no accessibility violations (axe-core) and fits 375 px', async (t) => {
  const { page } = await c.signIn('super_admin', { viewport: { width: 375, height: 800 } });
  t.deepEqual(await axeViolations(page), []);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  t.true(overflow <= 0, `the page is ${overflow}px wider than the screen`);
});

test('signing out ends the Gatehouse session: the console asks for a sign-in again', async (t) => {
  const { page } = await c.signIn('admin');
  await page.getByRole('button', { name: 'Sign out' }).click();
  // Gatehouse's end-session page asks to confirm.
  await page
    .getByRole('button', { name: /sign out|yes/i })
    .first()
    .click();
  await page.getByLabel('Email or User ID', { exact: true }).waitFor();
  t.regex(page.url(), /\/interaction\//);
});
