import test, { type ExecutionContext } from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { startBrowserFlow, type BrowserFlow } from '../helpers/browser-flow.js';
import { PASSWORD } from '../helpers/server.js';

/*
 * The content-security policy in a real Chromium, which enforces it: the pages
 * are styled by the stylesheet alone, oidc-provider's form_post page still
 * submits itself to the relying party, and no page reports a violation.
 */

let flow: BrowserFlow;
test.before(async () => {
  flow = await startBrowserFlow();
});
test.after.always(() => flow?.close());

/** Every CSP violation a page reports, from the console and from `securitypolicyviolation` events. */
async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
  const page = await flow.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (apply|load|execute)/i.test(m.text())) violations.push(m.text());
  });
  await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportViolation(v: string): void }).reportViolation(
        `${e.violatedDirective} ${e.blockedURI}`,
      ),
    );
  });
  return { page, violations };
}

const computed = (page: Page, selector: string, property: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);

async function assertStyled(t: ExecutionContext, page: Page, what: string) {
  // The stylesheet's colours, not the browser's defaults.
  t.is(await computed(page, 'body', 'background-color'), 'rgb(244, 245, 247)', `${what}: page background`);
  t.is(await computed(page, 'main', 'background-color'), 'rgb(255, 255, 255)', `${what}: card`);
}

test('the pages are styled by the stylesheet and report no CSP violation', async (t) => {
  const user = await flow.server.createUser();
  const { page, violations } = await watchedPage();

  await flow.openAuthorization(page);
  await assertStyled(t, page, 'sign-in page');
  t.is(await computed(page, 'button[type=submit]', 'background-color'), 'rgb(31, 95, 214)', 'sign-in button');
  // The passkey script ran (it shows its button when the browser has WebAuthn).
  await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();

  await flow.submitSignIn(page, user.email, 'not-the-password-at-all');
  await page.getByRole('alert').filter({ hasText: 'incorrect' }).waitFor();
  await assertStyled(t, page, 'refused sign-in');
  t.is(await computed(page, '.alert', 'background-color'), 'rgb(253, 236, 236)', 'the alert');

  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page
    .getByRole('heading', { name: /password/i })
    .first()
    .waitFor();
  await assertStyled(t, page, 'forgot-password page');

  await page.goto(`${flow.server.url}/auth?client_id=no-such-client&response_type=code&scope=openid`);
  await page.getByRole('heading', { name: 'Unknown application' }).waitFor();
  await assertStyled(t, page, "the provider's error page");

  t.deepEqual(violations, []);
});

test('the account pages and the authenticator set-up (QR code) are styled and report no CSP violation', async (t) => {
  const user = await flow.server.createUser();
  const { page, violations } = await watchedPage();
  await page.goto(`${flow.server.url}/account/security`);
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  await flow.submitSignIn(page, user.email, PASSWORD);
  await page.getByRole('heading', { name: 'Security', exact: true }).waitFor();
  await assertStyled(t, page, 'security page');

  await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
  await page.locator('#totp-qr').waitFor();
  await assertStyled(t, page, 'authenticator set-up');
  t.true(
    await page.locator('#totp-qr').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    'the QR code (a data: image) is shown',
  );

  await page.goto(`${flow.server.url}/account/password`);
  await page.getByRole('heading').first().waitFor();
  await assertStyled(t, page, 'password page');
  t.deepEqual(violations, []);
});

test('form_post: the auto-submitting page posts the code to the relying party under the CSP', async (t) => {
  // A relying party taking the response by POST.
  const received: URLSearchParams[] = [];
  const rp = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'POST') received.push(new URLSearchParams(body));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html lang="en"><head><title>RP</title></head><body><p>${req.method === 'POST' ? 'form_post received' : 'get'}</p></body></html>`,
      );
    });
  });
  await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => rp.close(() => resolve())));
  const redirectUri = `http://127.0.0.1:${(rp.address() as AddressInfo).port}/callback`;
  const { clientId } = await flow.server.createClient({ isPublic: true, redirectUri });

  const user = await flow.server.createUser();
  const { page, violations } = await watchedPage();
  const { state, verifier } = await flow.openAuthorization(page, {
    client_id: clientId,
    redirect_uri: redirectUri,
    response_mode: 'form_post',
  });
  await flow.submitSignIn(page, user.email, PASSWORD);
  await page.getByText('form_post received').waitFor();

  t.is(received.length, 1);
  const [posted] = received;
  t.is(posted!.get('state'), state);
  const code = posted!.get('code');
  t.truthy(code);
  // The code is real: the relying party redeems it.
  const token = await fetch(`${flow.server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
    }),
  });
  t.is(token.status, 200);
  t.deepEqual(violations, []);
});
