import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execute } from '../../src/cli/execute.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { cliServices } from '../../src/container.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';
import { perFile } from '../helpers/per-file.js';
import { startSamlIdp } from '../helpers/saml-idp.js';

/*
 * Identity providers as a super admin configures them: the admin API
 * (`/admin/api/identity-providers`) and `gatehouse idp …`. Secrets are sealed at
 * rest and never read back; each change is audited.
 */

const s = adminServerPerFile(test);
const root = signedInPerFile(test, s, 'super_admin');
const admin = signedInPerFile(test, s, 'admin');
const gatehouse = (...argv: string[]) => execute(cliServices(s.server.container), argv);
const samlIdp = perFile(test, startSamlIdp, (idp) => idp.close());
const metadataFile = join(tmpdir(), `gatehouse-idp-metadata-${process.pid}.xml`);
test.serial.before(() => writeFile(metadataFile, samlIdp.metadata()));
test.after.always(() => rm(metadataFile, { force: true }));

const OIDC = {
  type: 'oidc',
  oidc: { issuer: 'https://login.acme.example/v2.0', clientId: 'gatehouse', clientSecret: 'upstream-secret-1' },
};

test('a super admin adds, reads, changes and deletes a provider; the secret is never returned', async (t) => {
  const made = await root.api('POST', '/identity-providers', {
    ...OIDC,
    name: 'acme',
    displayName: 'Acme Entra ID',
    domains: ['Acme.example', 'acme-labs.example'],
    required: true,
  });
  t.is(made.status, 201);
  const body = made.body as Record<string, unknown> & { oidc: Record<string, unknown> };
  t.is(body.redirectUri, `${s.server.url}/federation/acme/callback`);
  t.is(body.acsUrl, `${s.server.url}/federation/acme/acs`);
  t.deepEqual(body.domains, [
    { domain: 'acme-labs.example', verified: true },
    { domain: 'acme.example', verified: true },
  ]);
  t.true(body.oidc.hasClientSecret);
  t.false(JSON.stringify(body).includes('upstream-secret-1'));
  const [row] = await s.server.db('identity_providers').where({ name: 'acme' });
  t.truthy(row.oidc_client_secret_sealed);
  t.false(String(row.oidc_client_secret_sealed).includes('upstream-secret-1'));

  const changed = await root.api('PATCH', '/identity-providers/acme', { trustedForMfa: true, jit: { enabled: true } });
  t.is(changed.status, 200);
  t.like(changed.body, { trustedForMfa: true, jit: { enabled: true, role: 'individual', status: 'active' } });
  // The secret not given again is kept.
  const idp = await s.server.container.federation.identityProviders.get('acme');
  t.is((await s.server.container.federation.identityProviders.secrets(idp)).clientSecret, 'upstream-secret-1');

  t.is((await root.api('GET', `/identity-providers/${body.id}`)).status, 200);
  t.true(
    ((await root.api('GET', '/identity-providers')).body as { items: { name: string }[] }).items.some(
      (p) => p.name === 'acme',
    ),
  );
  t.is((await root.api('DELETE', '/identity-providers/acme')).status, 204);
  t.is((await root.api('GET', '/identity-providers/acme')).status, 404);
  const actions = (await auditEvents(s.server, { target_id: body.id }).orderBy('id')).map((e) => e.action);
  t.deepEqual(actions, ['identity_provider.created', 'identity_provider.updated', 'identity_provider.deleted']);
});

test('bad input is refused with its code, and nothing is written', async (t) => {
  const refuse = async (body: Record<string, unknown>, status: number, code: string) => {
    const res = await root.api('POST', '/identity-providers', body);
    t.is(res.status, status, JSON.stringify(body));
    t.is((res.body as { error: string }).error, code);
  };
  await refuse({ ...OIDC, name: 'Bad Name' }, 400, 'idp.invalid');
  await refuse(
    { ...OIDC, name: 'plain', oidc: { ...OIDC.oidc, issuer: 'http://login.acme.example' } },
    400,
    'idp.invalid',
  );
  await refuse({ ...OIDC, name: 'nosecret', oidc: { issuer: OIDC.oidc.issuer, clientId: 'x' } }, 400, 'idp.invalid');
  await refuse({ ...OIDC, name: 'baddomain', domains: ['not a domain'] }, 400, 'idp.invalid');
  await refuse({ ...OIDC, name: 'admins', jit: { enabled: true, role: 'admin' } }, 400, 'request.invalid_body');
  await refuse({ type: 'saml', name: 'nosaml' }, 400, 'idp.invalid');
  t.is((await root.api('POST', '/identity-providers', { ...OIDC, name: 'one', domains: ['one.example'] })).status, 201);
  await refuse({ ...OIDC, name: 'one' }, 409, 'idp.name_taken');
  await refuse({ ...OIDC, name: 'two', domains: ['one.example'] }, 409, 'idp.domain_taken');
  t.is((await s.server.db('identity_providers').where({ name: 'two' })).length, 0);
});

test('an admin who is not super admin may not see or change providers', async (t) => {
  t.is((await admin.api('GET', '/identity-providers')).status, 403);
  t.is((await admin.api('POST', '/identity-providers', { ...OIDC, name: 'sneaky' })).status, 403);
});

test('gatehouse idp create prints the redirect URI and ACS URL; list and delete', async (t) => {
  const made = await gatehouse(
    'idp',
    'create',
    '--type',
    'oidc',
    '--name',
    'okta',
    '--issuer',
    'https://acme.okta.com',
    '--client-id',
    '0oa1',
    '--client-secret',
    'okta-secret',
    '--domains',
    'okta-acme.example,okta-b.example',
    '--required',
    '--jit-role',
    'manager',
  );
  t.is(made.code, EXIT.ok, made.stderr);
  const out = JSON.parse(made.stdout);
  t.is(out.redirectUri, `${s.server.url}/federation/okta/callback`);
  t.is(out.acsUrl, `${s.server.url}/federation/okta/acs`);
  t.like(out, { required: true, jit: { enabled: true, role: 'manager' } });
  t.false(made.stdout.includes('okta-secret'));

  const saml = await gatehouse('idp', 'create', '--type', 'saml', '--name', 'adfs', '--metadata-file', metadataFile);
  t.is(saml.code, EXIT.ok, saml.stderr);
  // The IdP's side is read from its metadata.
  t.like(JSON.parse(saml.stdout), {
    type: 'saml',
    acsUrl: `${s.server.url}/federation/adfs/acs`,
    saml: {
      spEntityId: `${s.server.url}/federation/adfs/metadata`,
      idpEntityId: samlIdp.entityId,
      ssoUrl: samlIdp.ssoUrl,
      certificates: samlIdp.certs(),
    },
  });

  const listed = JSON.parse((await gatehouse('idp', 'list')).stdout) as { name: string }[];
  t.deepEqual(
    listed.map((p) => p.name).filter((n) => ['okta', 'adfs'].includes(n)),
    ['adfs', 'okta'],
  );
  t.deepEqual(JSON.parse((await gatehouse('idp', 'delete', 'okta')).stdout), { name: 'okta', deleted: true });
  t.is((await gatehouse('idp', 'delete', 'okta')).code, EXIT.notFound);
  t.is((await gatehouse('idp', 'create', '--type', 'ldap', '--name', 'x')).code, EXIT.usage);
  t.is(
    (await gatehouse('idp', 'create', '--type', 'saml', '--name', 'f', '--metadata-file', 'nope.xml')).code,
    EXIT.failed,
  );
});
