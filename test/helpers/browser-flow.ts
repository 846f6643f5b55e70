import { createHash, randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium, startCallbackPage, type CallbackPage } from './chromium.js';
import { startServer, type TestServer } from './server.js';

/**
 * What the browser tests share: one Gatehouse, one Chromium and one relying
 * party's callback page per file; a public client (PKCE, as for a browser app);
 * each test gets its own browser context (cookie jar) from `newPage`.
 */
export async function startBrowserFlow(
  env: Record<string, string> = {},
  options: Parameters<typeof startServer>[1] = {},
) {
  const chromium: Browser = await launchChromium();
  const server: TestServer = await startServer(env, options);
  const callback: CallbackPage = await startCallbackPage();
  const { clientId } = await server.createClient({ isPublic: true, redirectUri: callback.redirectUri });
  const contexts = new Set<BrowserContext>();
  const base64url = (bytes: Buffer) => bytes.toString('base64url');

  return {
    server,
    callback,
    clientId,
    async newPage(contextOptions: BrowserContextOptions = {}): Promise<Page> {
      const context = await chromium.newContext(contextOptions);
      contexts.add(context);
      // Generous: on a busy machine a page's first load takes a while (nothing here measures time).
      context.setDefaultTimeout(60_000);
      return context.newPage();
    },

    /** Opens a hand-built authorization URL; resolves on the sign-in page. */
    async openAuthorization(
      page: Page,
      params: Record<string, string> = {},
    ): Promise<{ state: string; verifier: string }> {
      const verifier = base64url(randomBytes(32));
      const state = base64url(randomBytes(12));
      const query = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        scope: 'openid roles',
        redirect_uri: callback.redirectUri,
        code_challenge: base64url(createHash('sha256').update(verifier).digest()),
        code_challenge_method: 'S256',
        state,
        ...params,
      });
      await page.goto(`${server.url}/auth?${query}`);
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      return { state, verifier };
    },

    async submitSignIn(page: Page, username: string, password: string): Promise<void> {
      await page.getByLabel('Email or User ID', { exact: true }).fill(username);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    },

    /** Waits until the browser shows the relying party's callback page; returns its URL. */
    async landedOnCallback(page: Page): Promise<URL> {
      await page.waitForURL((url) => url.href.startsWith(callback.redirectUri));
      await page.getByText('callback ok').waitFor();
      return new URL(page.url());
    },

    /** What the relying party does next: redeem the code with the PKCE verifier; the ID token's claims. */
    async redeem(
      code: string,
      verifier: string,
    ): Promise<{ status: number; sub?: string; claims?: Record<string, unknown> }> {
      const res = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: callback.redirectUri,
          client_id: clientId,
          code_verifier: verifier,
        }),
      });
      const body = (await res.json()) as { id_token?: string };
      const claims = body.id_token
        ? (JSON.parse(Buffer.from(body.id_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>)
        : undefined;
      return { status: res.status, sub: claims?.sub as string | undefined, claims };
    },

    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await chromium.close();
      await callback.close();
      await server.close();
    },
  };
}
export type BrowserFlow = Awaited<ReturnType<typeof startBrowserFlow>>;
