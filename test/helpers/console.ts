import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TestFn } from 'ava';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { Role } from '../../src/domain/user.js';
import { launchChromium } from './chromium.js';
import { perFile } from './per-file.js';
import { PASSWORD, startServer, type TestServer } from './server.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface ConsoleUser {
  id: string;
  email: string;
  userCode: string;
  displayName: string;
}

/**
 * The administration console in a real Chromium: one Gatehouse (the console built by
 * `npm test`'s pretest, or `npm run build:console`) and one browser per file; each
 * `signIn` makes an administrator and signs them in through the real OIDC flow, in a
 * browser context (cookie jar) of its own. MFA is not required (MFA_REQUIRED_ROLES
 * empty) unless `env` says otherwise; the MFA tests sign in with factors.
 */
export async function startConsole(env: Record<string, string> = {}, options: Parameters<typeof startServer>[1] = {}) {
  const server: TestServer = await startServer({ MFA_REQUIRED_ROLES: '', ...env }, options);
  const chromium: Browser = await launchChromium();
  const contexts = new Set<BrowserContext>();
  let n = 0;

  const newPage = async (contextOptions: BrowserContextOptions = {}): Promise<Page> => {
    const context = await chromium.newContext(contextOptions);
    contexts.add(context);
    // Generous: on a busy machine a page's first load takes a while (nothing here measures time).
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    // Any content-security-policy violation fails the page's test (see `cspViolations`).
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    return page;
  };

  return {
    server,
    newPage,
    /** A new administrator of `role`, signed in on the console's home page. */
    async signIn(
      role: Role = 'super_admin',
      contextOptions: BrowserContextOptions = {},
    ): Promise<{ page: Page; user: ConsoleUser }> {
      const i = ++n;
      const givenName = 'Ada';
      const familyName = `Admin${i}`;
      const created = await server.createUser({
        role,
        givenName,
        familyName,
        email: `console-admin-${i}-${Date.now()}@example.com`,
      });
      const user = { ...created, displayName: `${givenName} ${familyName}` };
      const page = await newPage(contextOptions);
      await page.goto(`${server.url}/admin/`, { waitUntil: 'commit' });
      await signInOnGatehouse(page, user.email);
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      // The page's heading shows once the administrator's permissions are read (the navigation depends on them).
      await page.locator('main h1').first().waitFor();
      return { page, user };
    },
    async close() {
      await Promise.allSettled([...contexts].map((c) => c.close()));
      await chromium.close();
      await server.close();
    },
  };
}
export type ConsoleHarness = Awaited<ReturnType<typeof startConsole>>;

/** The console of a test file: started before its tests, closed after them. */
export const consolePerFile = (test: TestFn, env: Record<string, string> = {}): ConsoleHarness =>
  perFile(
    test,
    () => startConsole(env),
    (h) => h.close(),
  );

/** A section of the main navigation, then one of its tabs, as a person clicks them. */
export async function openTab(page: Page, section: string, tab: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section }).click();
  await page.getByRole('tab', { name: tab }).click();
}

/** Gatehouse's own sign-in page, as a person fills it in. */
export async function signInOnGatehouse(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email or User ID', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** axe-core's violations on the page as it is now (run through the DevTools protocol: the page's CSP allows no injected script). */
export async function axeViolations(page: Page): Promise<{ id: string; help: string; nodes: string[] }[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    return axe.run();
  });
  return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** The content-security-policy violations the page has reported since it loaded. */
export const cspViolations = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations ?? []);
