import test from 'ava';
import type { Page } from 'playwright-core';
import { adminApiOn } from '../helpers/admin.js';
import { openTab, axeViolations, cspViolations, consolePerFile } from '../helpers/console.js';
import { perFile } from '../helpers/per-file.js';

/*
 * Applications (issue 15, workflow 10): clients with a secret shown once and rotated,
 * APIs, SCIM tokens made and revoked, service accounts; Gatehouse's own client and APIs
 * read-only with the reason. Browser tests run one at a time (2 busy cores).
 */
const c = consolePerFile(test);
const api = perFile(test, () => adminApiOn(c.server));

const openSectionTab = (page: Page, name: string) => openTab(page, 'Applications', name);

/** A client-credentials token request: the status says whether the secret works. */
async function tokenStatus(clientId: string, secret: string): Promise<number> {
  const res = await fetch(`${c.server.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return res.status;
}

/** The secret in the "shown once" dialog; Done closes it. */
async function takeSecret(page: Page, label: string): Promise<string> {
  const dialog = page.getByRole('dialog');
  const secret = await dialog.getByLabel(label).inputValue();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
  return secret;
}

test.serial('a client is created with its secret shown once, edited, its secret rotated, then deleted', async (t) => {
  const { page } = await c.signIn('super_admin');
  await openSectionTab(page, 'Clients');
  await page.getByRole('button', { name: 'Add client' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add client' });
  await dialog.getByLabel('Client ID').fill('reporting');
  await dialog.getByLabel('Name').fill('Reporting');
  await dialog.getByLabel('Redirect URIs').fill('https://reports.example/cb');
  await dialog.getByText('Client credentials (the application on its own)').click();
  await dialog.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('dialog', { name: 'The secret of reporting' }).getByText('shown only this once').waitFor();
  const first = await takeSecret(page, 'Client secret');
  t.true(first.length >= 32);
  t.is(await tokenStatus('reporting', first), 200, 'the secret shown works');
  t.false((await page.content()).includes(first), 'the secret is gone from the page once closed');

  const clients = page.getByRole('table', { name: 'Clients' });
  await page.getByRole('button', { name: 'Edit Reporting' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('Reporting suite');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await clients.getByRole('cell', { name: 'Reporting suite', exact: true }).waitFor();

  await page.getByRole('button', { name: 'Rotate secret of Reporting suite' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  const second = await takeSecret(page, 'Client secret');
  t.not(second, first);
  t.is(await tokenStatus('reporting', second), 200, 'the new secret works');
  t.is(await tokenStatus('reporting', first), 401, 'the old one stopped at once');

  await page.getByRole('button', { name: 'Delete Reporting suite' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Reporting suite?' });
  t.regex((await confirm.textContent()) ?? '', /tokens are revoked now/);
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  await clients.getByRole('cell', { name: 'Reporting suite', exact: true }).waitFor({ state: 'detached' });
  const admin = await api.as('super_admin');
  t.is((await admin.api('GET', '/clients/reporting')).status, 404);
  t.deepEqual(await cspViolations(page), []);
});

test.serial(
  'a client signing its token requests with its private key, told of logouts at its back-channel URI',
  async (t) => {
    const { page } = await c.signIn('super_admin');
    await openSectionTab(page, 'Clients');
    await page.getByRole('button', { name: 'Add client' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add client' });
    await dialog.getByLabel('Client ID').fill('payroll');
    await dialog.getByLabel('Name').fill('Payroll');
    await dialog.getByLabel('Redirect URIs').fill('https://payroll.example/cb');
    await dialog.getByRole('button', { name: /Authentication at the token endpoint$/ }).click();
    await page.getByRole('option', { name: "JWT signed with the application's private key" }).click();
    await dialog.getByLabel('JWKS URI').fill('https://payroll.example/jwks');
    await dialog.getByLabel('Back-channel logout URI').fill('https://payroll.example/logout');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const clients = page.getByRole('table', { name: 'Clients' });
    await clients.getByRole('cell', { name: 'Payroll', exact: true }).waitFor();
    const admin = await api.as('super_admin');
    t.like((await admin.api('GET', '/clients/payroll')).body, {
      hasSecret: false,
      metadata: {
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: 'https://payroll.example/jwks',
        backchannel_logout_uri: 'https://payroll.example/logout',
      },
    });

    await page.getByRole('button', { name: 'Edit Payroll' }).click();
    await page.getByRole('dialog').getByLabel('Back-channel logout URI').fill('');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByText('Payroll saved', { exact: true }).waitFor();
    const { metadata } = (await admin.api('GET', '/clients/payroll')).body;
    t.is(metadata.backchannel_logout_uri, undefined);
    t.is(metadata.token_endpoint_auth_method, 'private_key_jwt');
    t.deepEqual(await cspViolations(page), []);
  },
);

test.serial('an identity provider is added with its domains, turned off and on, and deleted', async (t) => {
  const { page } = await c.signIn('super_admin');
  await openSectionTab(page, 'Identity providers');
  await page.getByRole('button', { name: 'Add identity provider' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add identity provider' });
  await dialog.getByLabel('Name', { exact: true }).fill('acme');
  await dialog.getByLabel('Display name').fill('Acme Entra ID');
  await dialog.getByLabel('Issuer').fill('https://login.acme.example/tenant/v2.0');
  await dialog.getByLabel('Client ID').fill('gatehouse-at-acme');
  await dialog.getByLabel('Client secret').fill('s3cret-from-entra');
  await dialog.getByLabel('Email domains').fill('acme.example, acme-group.example');
  await dialog.getByText(/^Required: refuse password sign-in/).click();
  await dialog.getByRole('button', { name: 'Create' }).click();
  const table = page.getByRole('table', { name: 'Identity providers' });
  const row = table.getByRole('row', { name: /Acme Entra ID/ });
  await row.getByRole('cell', { name: `${c.server.url}/federation/acme/callback` }).waitFor();
  const admin = await api.as('super_admin');
  const made = (await admin.api('GET', '/identity-providers/acme')).body;
  t.like(made, {
    type: 'oidc',
    required: true,
    enabled: true,
    oidc: { clientId: 'gatehouse-at-acme', hasClientSecret: true },
  });
  t.deepEqual(made.domains.map((d: { domain: string }) => d.domain).sort(), ['acme-group.example', 'acme.example']);
  t.false(JSON.stringify(made).includes('s3cret-from-entra'), 'the secret is never given back');

  await page.getByRole('button', { name: 'Turn off Acme Entra ID' }).click();
  await row.getByRole('cell', { name: 'Off', exact: true }).waitFor();
  t.false((await admin.api('GET', '/identity-providers/acme')).body.enabled);
  await page.getByRole('button', { name: 'Delete Acme Entra ID' }).click();
  await page.getByRole('dialog', { name: 'Delete Acme Entra ID?' }).getByRole('button', { name: 'Confirm' }).click();
  await row.waitFor({ state: 'detached' });
  t.is((await admin.api('GET', '/identity-providers/acme')).status, 404);
  t.deepEqual(await cspViolations(page), []);
});

test.serial("Gatehouse's own client and APIs are shown read-only with the reason", async (t) => {
  const { page } = await c.signIn('super_admin');
  await openSectionTab(page, 'Clients');
  const own = page.getByRole('table', { name: 'Clients' }).getByRole('row', { name: /gatehouse-console/ });
  await own.getByText("Built in: Gatehouse's own, read-only").waitFor();
  t.is(await own.getByRole('button').count(), 0);

  await page.getByRole('tab', { name: 'APIs' }).click();
  const adminApi = page.getByRole('table', { name: 'APIs' }).getByRole('row', { name: /\/admin\/api/ });
  await adminApi.getByText("Built in: Gatehouse's own, read-only").waitFor();
  t.is(await adminApi.getByRole('button').count(), 0);

  await page.getByRole('button', { name: 'Add API' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add API' });
  await dialog.getByLabel('Indicator').fill('https://courses.example/api');
  await dialog.getByLabel('Scopes').fill('courses:read courses:write');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const row = page.getByRole('table', { name: 'APIs' }).getByRole('row', { name: /courses\.example/ });
  await row.getByRole('cell', { name: 'courses:read courses:write' }).waitFor();
  t.is(await row.getByRole('button', { name: 'Delete https://courses.example/api' }).count(), 1);
});

test.serial(
  'a SCIM token (its emails trusted) is shown once and works; once revoked, a SCIM call with it is refused',
  async (t) => {
    const { page } = await c.signIn('super_admin');
    await openSectionTab(page, 'SCIM tokens');
    await page.getByRole('button', { name: 'Add SCIM token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add SCIM token' });
    await dialog.getByLabel('Name').fill('Payroll system');
    await dialog.getByText(/^Trust its emails/).click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    const token = await takeSecret(page, 'SCIM token');
    const scimUsers = () =>
      fetch(`${c.server.url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.status,
      );
    t.is(await scimUsers(), 200);

    const row = page.getByRole('table', { name: 'SCIM tokens' }).getByRole('row', { name: /Payroll system/ });
    await row.getByRole('cell', { name: 'Active', exact: true }).waitFor();
    await row.getByRole('cell', { name: 'Trusted', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Revoke Payroll system' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await row.getByRole('cell', { name: /^Revoked/ }).waitFor();
    t.is(await scimUsers(), 401);
  },
);

test.serial(
  'a service account is made with a role, its secret shown once; its token reads the admin API',
  async (t) => {
    const { page } = await c.signIn('super_admin');
    await openSectionTab(page, 'Service accounts');
    await page.getByRole('button', { name: 'Add service account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add service account' });
    await dialog.getByLabel('Client ID').fill('hr-sync');
    await dialog.getByRole('button', { name: /Role$/ }).click();
    await page.getByRole('option', { name: 'HR' }).click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    const secret = await takeSecret(page, 'Client secret');
    const row = page.getByRole('table', { name: 'Service accounts' }).getByRole('row', { name: /hr-sync/ });
    await row.getByRole('cell', { name: 'HR', exact: true }).waitFor();
    t.is(
      await page
        .getByRole('table', { name: 'Service accounts' })
        .getByRole('row', { name: /gatehouse-/ })
        .count(),
      0,
    );

    const res = await fetch(`${c.server.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`hr-sync:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'admin',
        resource: `${c.server.url}/admin/api`,
      }),
    });
    t.is(res.status, 200);
    const { access_token } = (await res.json()) as { access_token: string };
    const me = await fetch(`${c.server.url}/admin/api/me/permissions`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    t.is(((await me.json()) as { role: string }).role, 'hr');
  },
);

test.serial('an hr user is not offered Applications, and the page says so when opened by its address', async (t) => {
  const { page } = await c.signIn('hr');
  await page.goto(`${c.server.url}/admin/applications/clients`);
  await page.getByText('Applications are for super admins.').waitFor();
  t.is(await page.getByRole('button', { name: 'Add client' }).count(), 0);
});

test.serial(
  'every applications tab: no accessibility violations (axe-core) and no horizontal overflow at 375 px',
  async (t) => {
    const { page } = await c.signIn('super_admin', { viewport: { width: 375, height: 800 } });
    for (const tab of ['Clients', 'APIs', 'SCIM tokens', 'Service accounts']) {
      await openSectionTab(page, tab);
      await page.getByRole('tabpanel').getByRole('table').waitFor();
      t.deepEqual(await axeViolations(page), [], tab);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      t.true(overflow <= 0, `${tab}: the page is ${overflow}px wider than the screen`);
    }
    await page.getByRole('button', { name: 'Add service account' }).click();
    await page.getByRole('dialog').waitFor();
    t.deepEqual(await axeViolations(page), [], 'the dialog');
  },
);
