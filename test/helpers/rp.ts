import * as oidc from 'openid-client';
import { Browser, type Page } from './browser.js';
import type { TestServer } from './server.js';

/**
 * How long openid-client waits for an answer (its default is 30 s): generous, since on a
 * busy machine a token request behind a flood of password checks takes longer; finite,
 * and shorter than ava's timeout, so a hung request fails with its own message.
 */
export const RP_TIMEOUT_SECONDS = 240;

/**
 * A relying party built on openid-client, signing a user in through the real
 * pages with the test browser: authorize (PKCE) → login form → code → tokens.
 */
export async function relyingParty(
  server: TestServer,
  client: { clientId: string; clientSecret?: string; redirectUri: string },
) {
  const config = await oidc.discovery(
    new URL(server.url),
    client.clientId,
    client.clientSecret,
    client.clientSecret ? undefined : oidc.None(),
    { execute: [oidc.allowInsecureRequests], timeout: RP_TIMEOUT_SECONDS },
  );

  async function authorizationUrl(params: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri,
      scope: 'openid profile email roles',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...params,
    });
    return { url, verifier, state };
  }

  return {
    config,
    authorizationUrl,
    /** Exchanges the code the browser was sent back with. */
    async exchange(page: Page, checks: { verifier: string; state: string }, params: Record<string, string> = {}) {
      if (!page.leftTo)
        throw new Error(
          `the browser was not sent back to the client; it shows ${page.url} (${page.status}):\n${page.html.slice(0, 400)}`,
        );
      return oidc.authorizationCodeGrant(
        config,
        page.leftTo,
        { pkceCodeVerifier: checks.verifier, expectedState: checks.state },
        params,
      );
    },
    /** The whole sign-in: returns the tokens and the browser (which holds the session). */
    async signIn(
      login: { username: string; password: string },
      params: Record<string, string> = {},
      browser = new Browser(server.url),
    ) {
      const auth = await authorizationUrl(params);
      const form = await browser.open(auth.url.toString());
      let page = form.leftTo ? form : await browser.submit(form, login, '/login');
      if (!page.leftTo && page.html.includes('/confirm')) page = await browser.submit(page, {}, '/confirm');
      const tokens = await this.exchange(page, auth, params.resource ? { resource: params.resource } : {});
      return { tokens, browser };
    },
  };
}
