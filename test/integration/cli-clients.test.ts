import test from 'ava';
import { execute } from '../../src/cli/execute.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { cliServices } from '../../src/container.js';
import { serverPerFile } from '../helpers/server.js';

/*
 * `gatehouse client …` and `resource …` as a running server executes them (the
 * embedded database's CLI socket runs exactly this): JSON on stdout, exit codes
 * for scripts, and the server's provider sees each change at its next request.
 */

const s = serverPerFile(test);
const gatehouse = (...argv: string[]) => execute(cliServices(s.container), argv);
const json = (out: { stdout: string }) => JSON.parse(out.stdout);

let hrSyncSecret = '';

async function clientCredentials(clientId: string, secret: string, params: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

test.serial('client create --service-account-role hr: its token works at the admin API with hr powers', async (t) => {
  const made = await gatehouse(
    'client',
    'create',
    '--client-id',
    'hr-sync',
    '--grant-types',
    'client_credentials',
    '--service-account-role',
    'hr',
  );
  t.is(made.code, EXIT.ok, made.stderr);
  const { client_secret: secret, service_account: account } = json(made);
  hrSyncSecret = secret;
  t.deepEqual(account, { role: 'hr', accountIds: [], accountGroupIds: [] });
  const token = await clientCredentials('hr-sync', secret, { resource: `${s.url}/admin/api`, scope: 'admin' });
  t.is(token.status, 200, JSON.stringify(token.body));
  const users = await fetch(`${s.url}/admin/api/users`, {
    headers: { authorization: `Bearer ${token.body.access_token}` },
  });
  t.is(users.status, 200);

  const individual = await gatehouse(
    'client',
    'create',
    '--client-id',
    'nobody-sync',
    '--grant-types',
    'client_credentials',
    '--service-account-role',
    'individual',
  );
  t.is(individual.code, EXIT.failed);
  t.regex(individual.stderr, /manager, hr, admin or super_admin/);
  const unknownRole = await gatehouse('client', 'create', '--client-id', 'x', '--service-account-role', 'boss');
  t.is(unknownRole.code, EXIT.usage);
  t.regex(unknownRole.stderr, /--service-account-role must be one of/);
});

test.serial('client list, show and update', async (t) => {
  const listed = await gatehouse('client', 'list');
  t.is(listed.code, EXIT.ok, listed.stderr);
  const ids = json(listed).map((c: { clientId: string }) => c.clientId);
  t.true(ids.includes('hr-sync'));
  t.false(listed.stdout.includes(hrSyncSecret), 'no secrets');

  const shown = await gatehouse('client', 'show', 'hr-sync');
  t.like(json(shown), { clientId: 'hr-sync', serviceAccount: { role: 'hr' } });
  const missing = await gatehouse('client', 'show', 'nobody');
  t.is(missing.code, EXIT.notFound);
  t.regex(missing.stderr, /No client "nobody"/);
  t.is((await gatehouse('client', 'show')).code, EXIT.usage);

  const updated = await gatehouse(
    'client',
    'update',
    'hr-sync',
    '--name',
    'HR sync',
    '--service-account-role',
    'admin',
  );
  t.is(updated.code, EXIT.ok, updated.stderr);
  t.like(json(updated), { metadata: { client_name: 'HR sync' }, serviceAccount: { role: 'admin' } });
  const cleared = await gatehouse('client', 'update', 'hr-sync', '--no-service-account', '--first-party');
  t.like(json(cleared), { serviceAccount: null, firstParty: true });
  const both = await gatehouse('client', 'update', 'hr-sync', '--first-party', '--third-party');
  t.is(both.code, EXIT.usage);
});

test.serial('client rotate-secret --grace, then delete: the server sees both at once', async (t) => {
  const made = json(await gatehouse('client', 'create', '--client-id', 'batch', '--grant-types', 'client_credentials'));
  const rotated = await gatehouse('client', 'rotate-secret', 'batch', '--grace', '600');
  t.is(rotated.code, EXIT.ok, rotated.stderr);
  const { client_secret: next, previous_secret_expires_at: until } = json(rotated);
  t.truthy(until);
  t.is((await clientCredentials('batch', made.client_secret)).status, 200, 'the old secret within its grace');
  t.is((await clientCredentials('batch', next)).status, 200);
  const now = await gatehouse('client', 'rotate-secret', 'batch');
  t.is(json(now).previous_secret_expires_at, null);
  t.is((await clientCredentials('batch', next)).status, 401, 'no grace: the old one stops at once');
  t.is((await gatehouse('client', 'rotate-secret', 'batch', '--grace', 'soon')).code, EXIT.usage);

  const deleted = await gatehouse('client', 'delete', 'batch');
  t.is(deleted.code, EXIT.ok, deleted.stderr);
  t.like(json(deleted), { clientId: 'batch' });
  t.is((await clientCredentials('batch', json(now).client_secret)).status, 401, 'the client is gone');
  t.is((await gatehouse('client', 'delete', 'batch')).code, EXIT.notFound);
});

test.serial('resource list and delete', async (t) => {
  t.is(
    (await gatehouse('resource', 'create', '--indicator', 'https://reports.api.test', '--scopes', 'read')).code,
    EXIT.ok,
  );
  const listed = json(await gatehouse('resource', 'list'));
  t.true(listed.some((r: { indicator: string }) => r.indicator === 'https://reports.api.test'));
  t.true(listed.some((r: { indicator: string }) => r.indicator === `${s.url}/admin/api`));

  const deleted = await gatehouse('resource', 'delete', 'https://reports.api.test');
  t.is(deleted.code, EXIT.ok, deleted.stderr);
  t.deepEqual(json(deleted), { indicator: 'https://reports.api.test', deleted: true });
  t.is((await gatehouse('resource', 'delete', 'https://reports.api.test')).code, EXIT.notFound);
  const own = await gatehouse('resource', 'delete', `${s.url}/admin/api`);
  t.is(own.code, EXIT.failed);
  t.regex(own.stderr, /Gatehouse's own API/);
});
