import test from 'ava';
import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { startBrowserFlow, type BrowserFlow } from '../helpers/browser-flow.js';
import { PASSWORD } from '../helpers/server.js';
import { ACR_MFA } from '../../src/domain/authentication.js';

/*
 * The second step in a real Chromium, as a person does it: an admin (MFA is
 * required for admins by default) signs in for the first time, reads the key off
 * the page into "their authenticator" (otplib here), keeps the recovery codes,
 * and later signs in with a code or with a recovery code.
 */

let flow: BrowserFlow;
test.before(async () => {
  flow = await startBrowserFlow();
});
test.after.always(() => flow?.close());

/** What an authenticator app shows `stepsAhead` time steps from now. */
const authenticator = (secret: string, stepsAhead = 0) =>
  generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * stepsAhead });

async function signInWithPassword(page: Page, email: string) {
  const checks = await flow.openAuthorization(page);
  await flow.submitSignIn(page, email, PASSWORD);
  return checks;
}

async function landAndRedeem(page: Page, checks: { verifier: string }) {
  const landed = await flow.landedOnCallback(page);
  return flow.redeem(landed.searchParams.get('code')!, checks.verifier);
}

async function enrol(email: string) {
  const page = await flow.newPage();
  const checks = await signInWithPassword(page, email);
  await page.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
  const secret = (await page.locator('#totp-secret').innerText()).trim();
  await page.getByLabel('Code from your authenticator app').fill(authenticator(secret));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
  const codes = (await page.locator('#recovery-codes code').allInnerTexts()).map((c) => c.trim());
  await page.getByRole('button', { name: /continue/ }).click();
  return { secret, codes, redeemed: await landAndRedeem(page, checks) };
}

test('an admin enrols an authenticator app during their first sign-in, then signs in with a code', async (t) => {
  const admin = await flow.server.createUser({ role: 'admin' });
  const { secret, codes, redeemed } = await enrol(admin.email);
  t.regex(secret, /^[A-Z2-7]{32}$/);
  t.is(codes.length, 10);
  t.is(redeemed.status, 200);
  t.deepEqual(redeemed.claims?.amr, ['pwd', 'otp']);
  t.is(redeemed.claims?.acr, ACR_MFA);

  const page = await flow.newPage();
  const checks = await signInWithPassword(page, admin.email);
  await page.getByRole('heading', { name: 'Second step' }).waitFor();
  await page
    .getByLabel('Code from your authenticator app')
    .fill('000000' === authenticator(secret, 1) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  t.regex(await page.getByRole('alert').innerText(), /incorrect or has already been used/);
  // The next time step: an authenticator a little ahead of the server is accepted.
  await page.getByLabel('Code from your authenticator app').fill(authenticator(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  const second = await landAndRedeem(page, checks);
  t.is(second.sub, admin.id);
  t.deepEqual(second.claims?.amr, ['pwd', 'otp']);
});

test('a recovery code signs in when the authenticator is lost', async (t) => {
  const admin = await flow.server.createUser({ role: 'super_admin' });
  const { codes } = await enrol(admin.email);

  const page = await flow.newPage();
  const checks = await signInWithPassword(page, admin.email);
  await page.getByText('Use a recovery code').click();
  await page.getByLabel('Recovery code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Use the recovery code' }).click();
  const redeemed = await landAndRedeem(page, checks);
  t.is(redeemed.sub, admin.id);
  t.deepEqual(redeemed.claims?.amr, ['pwd', 'otp']);

  const again = await flow.newPage();
  await signInWithPassword(again, admin.email);
  await again.getByText('Use a recovery code').click();
  await again.getByLabel('Recovery code').fill(codes[0]!);
  await again.getByRole('button', { name: 'Use the recovery code' }).click();
  t.regex(await again.getByRole('alert').innerText(), /incorrect or has already been used/, 'each code works once');
});
