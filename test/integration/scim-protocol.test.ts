import test, { type ExecutionContext } from 'ava';
import * as oidc from 'openid-client';
import { auditEvents } from '../helpers/audit.js';
import { SCIM, scimClient, scimToken, type ScimClient } from '../helpers/scim.js';
import { PASSWORD, startServer, type TestServer } from '../helpers/server.js';
import { RP_TIMEOUT_SECONDS } from '../helpers/rp.js';
import type { Json } from '../helpers/json.js';

let server: TestServer;
let scim: ScimClient;
let token: string;

test.before(async () => {
  server = await startServer({
    SCIM_MAX_RESULTS: '5',
    SCIM_BULK_MAX_OPERATIONS: '20',
    SCIM_MAX_PAYLOAD_BYTES: '20000',
  });
  token = await scimToken(server, 'protocol');
  scim = scimClient(server, token);
});
test.after.always(() => server?.close());

let n = 0;
const newUser = (extra: Record<string, unknown> = {}) => {
  const userName = `p${++n}.${Date.now()}@example.com`;
  return { schemas: [SCIM.user], userName, emails: [{ value: userName, type: 'work', primary: true }], ...extra };
};
const create = async (extra: Record<string, unknown> = {}) => (await scim.post('/Users', newUser(extra))).body;

function isScimError(t: ExecutionContext, res: { status: number; body: Json }, status: number, scimType?: string) {
  t.is(res.status, status, JSON.stringify(res.body));
  t.deepEqual(res.body.schemas, [SCIM.error]);
  t.is(res.body.status, String(status));
  if (scimType) t.is(res.body.scimType, scimType);
  t.true(typeof res.body.detail === 'string' && res.body.detail.length > 0);
}

test('discovery documents describe what the server supports, with the limits it enforces', async (t) => {
  const config = (await scim.get('/ServiceProviderConfig')).body;
  t.like(config, {
    patch: { supported: true },
    bulk: { supported: true, maxOperations: 20, maxPayloadSize: 20000 },
    filter: { supported: true, maxResults: 5 },
    etag: { supported: true },
    sort: { supported: true },
  });
  t.is(config.authenticationSchemes[0].type, 'oauthbearertoken');

  const types = (await scim.get('/ResourceTypes')).body;
  t.deepEqual(types.Resources.map((r: Json) => r.id).sort(), ['Group', 'User']);
  t.like((await scim.get('/ResourceTypes/User')).body, {
    endpoint: '/Users',
    schemaExtensions: [{ schema: SCIM.enterprise, required: false }],
  });

  const schemas = (await scim.get('/Schemas')).body;
  t.deepEqual(schemas.Resources.map((s: Json) => s.id).sort(), [SCIM.group, SCIM.user, SCIM.enterprise].sort());
  const user = (await scim.get(`/Schemas/${SCIM.user}`)).body;
  t.like(
    user.attributes.find((a: Json) => a.name === 'userName'),
    { uniqueness: 'server', caseExact: false, required: true },
  );
  t.like(
    user.attributes.find((a: Json) => a.name === 'password'),
    { returned: 'never', mutability: 'writeOnly' },
  );
  isScimError(t, await scim.get('/Schemas/urn:nope'), 404);
});

test('without a valid bearer token: 401 with WWW-Authenticate; a revoked token stops working', async (t) => {
  const anonymous = await fetch(`${server.url}/scim/v2/Users`);
  t.is(anonymous.status, 401);
  t.regex(anonymous.headers.get('www-authenticate')!, /^Bearer/);
  t.is(((await anonymous.json()) as Json).status, '401');

  const bad = await scimClient(server, 'gh_scim_not-a-token').get('/Users');
  isScimError(t, bad, 401);
  t.regex(bad.headers.get('www-authenticate')!, /error="invalid_token"/);

  const made = await server.container.scim.auth.create('short-lived');
  const client = scimClient(server, made.token);
  t.is((await client.get('/Users?count=1')).status, 200);
  const row = await server.db('scim_tokens').where('id', made.id).first();
  t.truthy(row.last_used_at, 'the last use is recorded');
  t.not(row.token_hash, made.token, 'the token is stored hashed');
  await server.container.scim.auth.revoke('short-lived');
  t.is((await client.get('/Users')).status, 401);
});

test('access tokens from Gatehouse for the SCIM resource with scope scim (client credentials) work', async (t) => {
  const client = await server.createClient({ grantTypes: ['client_credentials'], firstParty: true });
  const config = new oidc.Configuration(
    { issuer: server.url, token_endpoint: `${server.url}/token` },
    client.clientId,
    client.clientSecret,
  );
  oidc.allowInsecureRequests(config);
  config.timeout = RP_TIMEOUT_SECONDS;
  const { access_token } = await oidc.clientCredentialsGrant(config, {
    scope: 'scim',
    resource: `${server.url}/scim/v2`,
  });
  const viaToken = scimClient(server, access_token);
  const created = await viaToken.post('/Users', newUser());
  t.is(created.status, 201);
  const audit = await auditEvents(server, { target_id: created.body.id, action: 'user.created' }).first();
  t.like(audit, { actor_type: 'client', actor_id: client.clientId });

  // After a key rotation, tokens signed with the new key work at once.
  await server.container.signingKeys.rotate(3600);
  // Rebuilt on the rotation's change notice; this waits for it (or does it, if the notice is not in yet).
  await server.oidc.refreshKeys();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const fresh = await oidc.clientCredentialsGrant(config, { scope: 'scim', resource: `${server.url}/scim/v2` });
  t.is((await scimClient(server, fresh.access_token).get('/Users?count=1')).status, 200);

  // A token for another audience is refused.
  const other = await oidc.clientCredentialsGrant(config, { scope: 'roles' });
  t.is((await scimClient(server, other.access_token).get('/Users')).status, 401);
});

test('bad requests get the SCIM error schema and the right status', async (t) => {
  isScimError(t, await scim.request('POST', '/Users', '{"userName": '), 400, 'invalidSyntax');
  isScimError(t, await scim.post('/Users', { schemas: [SCIM.user] }), 400, 'invalidValue');
  isScimError(t, await scim.find('Users', 'nosuchattribute eq "x"'), 400, 'invalidFilter');
  isScimError(t, await scim.find('Users', 'userName eq'), 400, 'invalidFilter');
  isScimError(t, await scim.get('/Users/00000000-0000-4000-8000-00000000dead'), 404);
  isScimError(t, await scim.get('/Users/not-a-uuid'), 404);
  isScimError(t, await scim.get('/Nothing'), 404);
  isScimError(t, await scim.post('/Users', { ...newUser(), junk: 'x'.repeat(30000) }), 413);
  // The same without a Content-Length (chunked): the limit holds while reading.
  const big = new TextEncoder().encode(JSON.stringify({ ...newUser(), junk: 'x'.repeat(30000) }));
  const chunked = await fetch(`${server.url}/scim/v2/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: new ReadableStream({
      start: (c) => {
        c.enqueue(big);
        c.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  isScimError(t, { status: chunked.status, body: await chunked.json() }, 413);
  isScimError(
    t,
    await scim.request('POST', '/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }),
    415,
  );
  // application/json is accepted as well as application/scim+json.
  t.is((await scim.request('POST', '/Users', newUser(), { 'content-type': 'application/json' })).status, 201);
});

test('userName is unique case-insensitively (409 uniqueness) and nothing is half-written', async (t) => {
  const first = await create();
  const dup = await scim.post('/Users', { ...newUser(), userName: first.userName.toUpperCase() });
  isScimError(t, dup, 409, 'uniqueness');
  // The second operation fails: the first must not have been applied.
  const patched = await scim.patch(`/Users/${first.id}`, [
    { op: 'replace', path: 'displayName', value: 'Changed' },
    { op: 'replace', path: 'userName', value: (await create()).userName },
  ]);
  isScimError(t, patched, 409, 'uniqueness');
  t.false('displayName' in (await scim.get(`/Users/${first.id}`)).body);
});

test('ETags: If-Match with a stale version is 412', async (t) => {
  const user = await create();
  const etag = user.meta.version;
  const ok = await scim.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'displayName', value: 'One' }], {
    'if-match': etag,
  });
  t.is(ok.status, 200);
  t.not(ok.headers.get('etag'), etag);
  isScimError(
    t,
    await scim.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'displayName', value: 'Two' }], { 'if-match': etag }),
    412,
  );
  isScimError(t, await scim.delete(`/Users/${user.id}`, { 'if-match': etag }), 412);
  t.is((await scim.get(`/Users/${user.id}`)).body.displayName, 'One');
});

test('PUT ignores read-only attributes (RFC 7644 §3.5.1); a PATCH still may not change them or an immutable one', async (t) => {
  const user = await create();
  const alien = '00000000-0000-4000-8000-000000000bad';
  const meta = { resourceType: 'Group', created: '2000-01-01T00:00:00Z', location: 'https://elsewhere.test/x' };
  const put = await scim.put(`/Users/${user.id}`, {
    ...newUser({ userName: user.userName, displayName: 'Replaced' }),
    id: alien,
    meta,
    groups: [{ value: alien }],
  });
  t.is(put.status, 200, JSON.stringify(put.body));
  t.is(put.body.id, user.id);
  t.is(put.body.displayName, 'Replaced');
  t.is(put.body.meta.created, user.meta.created);
  t.is(put.body.meta.resourceType, 'User');
  t.is((await scim.get(`/Users/${user.id}`)).body.displayName, 'Replaced');
  isScimError(t, await scim.get(`/Users/${alien}`), 404);

  const group = (await scim.post('/Groups', { schemas: [SCIM.group], displayName: `g${Date.now()}` })).body;
  const replaced = await scim.put(`/Groups/${group.id}`, {
    schemas: [SCIM.group],
    id: alien,
    meta,
    displayName: group.displayName,
    members: [{ value: user.id }],
  });
  t.is(replaced.status, 200, JSON.stringify(replaced.body));
  t.is(replaced.body.id, group.id);
  t.deepEqual(
    replaced.body.members.map((m: Json) => m.value),
    [user.id],
  );

  isScimError(
    t,
    await scim.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'id', value: alien }]),
    400,
    'mutability',
  );
  const other = await create();
  isScimError(
    t,
    await scim.patch(`/Groups/${group.id}`, [
      { op: 'replace', path: `members[value eq "${user.id}"].value`, value: other.id },
    ]),
    400,
    'mutability',
  );
});

test('paging: count is capped at maxResults, startIndex below 1 is 1, count=0 gives only the total', async (t) => {
  const tag = `page${Date.now()}`;
  for (let i = 0; i < 7; i++) await create({ userType: tag, displayName: `${tag}-${i}` });
  const filter = `userType eq "${tag}"`;
  const capped = await scim.find('Users', filter, '&count=100&sortBy=displayName');
  t.like(capped.body, { totalResults: 7, startIndex: 1, itemsPerPage: 5 });
  t.deepEqual(
    capped.body.Resources.map((r: Json) => r.displayName),
    [0, 1, 2, 3, 4].map((i) => `${tag}-${i}`),
  );
  const second = await scim.find('Users', filter, '&startIndex=6&count=5&sortBy=displayName');
  t.deepEqual(
    second.body.Resources.map((r: Json) => r.displayName),
    [`${tag}-5`, `${tag}-6`],
  );
  t.is(
    (await scim.find('Users', filter, '&startIndex=-3&count=1&sortBy=displayName')).body.Resources[0].displayName,
    `${tag}-0`,
  );
  const descending = await scim.find('Users', filter, '&count=1&sortBy=displayName&sortOrder=descending');
  t.is(descending.body.Resources[0].displayName, `${tag}-6`);
  const totalOnly = await scim.find('Users', filter, '&count=0');
  t.like(totalOnly.body, { totalResults: 7, itemsPerPage: 0 });
  t.false('Resources' in totalOnly.body);
});

test('attribute projection and POST /.search', async (t) => {
  const user = await create({ displayName: 'Projected', name: { givenName: 'Pro', familyName: 'Jected' } });
  const only = await scim.get(`/Users/${user.id}?attributes=userName,name.givenName`);
  t.deepEqual(
    Object.keys(only.body).sort(),
    ['id', 'name', 'schemas', 'userName'].sort().filter((k) => k in only.body),
  );
  t.deepEqual(only.body.name, { givenName: 'Pro' });
  t.false('displayName' in only.body);
  const without = await scim.get(`/Users/${user.id}?excludedAttributes=emails,meta`);
  t.false('emails' in without.body);
  t.is(without.body.displayName, 'Projected');

  const search = await scim.post('/Users/.search', {
    schemas: [SCIM.searchRequest],
    filter: `displayName eq "projected" and name.familyName sw "jec"`,
    attributes: ['displayName'],
  });
  t.is(search.status, 200);
  t.is(search.body.totalResults, 1);
  t.deepEqual(search.body.Resources[0], {
    schemas: search.body.Resources[0].schemas,
    id: user.id,
    displayName: 'Projected',
  });

  const root = await scim.post('/.search', { schemas: [SCIM.searchRequest], filter: `id eq "${user.id}"` });
  t.is(root.body.totalResults, 1);
  isScimError(t, await scim.post('/Users/.search', { filter: 'userName pr' }), 400, 'invalidSyntax');
});

test('complex filters keep the same-element meaning', async (t) => {
  const tag = `cx${Date.now()}`;
  const both = await create({
    userType: tag,
    emails: [
      { type: 'work', value: `${tag}@work.example` },
      { type: 'home', value: `${tag}@home.example` },
    ],
  });
  await create({ userType: tag, emails: [{ type: 'home', value: `${tag}.other@work.example` }] });
  const found = await scim.find('Users', `userType eq "${tag}" and emails[type eq "work" and value co "@work"]`);
  t.deepEqual(
    found.body.Resources.map((r: Json) => r.id),
    [both.id],
  );
  const dotted = await scim.find('Users', `userType eq "${tag}" and emails[type eq "work"].value co "@work"`);
  t.deepEqual(
    dotted.body.Resources.map((r: Json) => r.id),
    [both.id],
  );
  const since = await scim.find('Users', `userType eq "${tag}" and meta.lastModified ge "${both.meta.lastModified}"`);
  t.is(since.body.totalResults, 2);
});

test('roles: a token grants only the roles it may; admin roles need a token made for them', async (t) => {
  const manager = await scim.post('/Users', newUser({ roles: [{ value: 'manager', primary: true }, { value: 'hr' }] }));
  t.is(manager.status, 201);
  t.deepEqual(manager.body.roles.map((r: Json) => r.value).sort(), ['hr', 'manager']);
  t.is((await server.repos.users.findById(manager.body.id))!.mainRole, 'manager');

  isScimError(t, await scim.post('/Users', newUser({ roles: [{ value: 'admin' }] })), 403);
  isScimError(t, await scim.post('/Users', newUser({ roles: [{ value: 'wizard' }] })), 400, 'invalidValue');

  const admins = scimClient(server, await scimToken(server, 'it-admins', ['individual', 'admin']));
  const admin = await admins.post('/Users', newUser({ roles: ['admin'] }));
  t.is(admin.status, 201);
  t.deepEqual(
    admin.body.roles.map((r: Json) => r.value),
    ['admin'],
  );
  // The ordinary token cannot take the admin role away.
  const kept = await scim.patch(`/Users/${admin.body.id}`, [
    { op: 'replace', path: 'roles', value: [{ value: 'individual' }] },
  ]);
  t.deepEqual(kept.body.roles.map((r: Json) => r.value).sort(), ['admin', 'individual']);
});

test('a password goes through the password policy', async (t) => {
  isScimError(t, await scim.post('/Users', newUser({ password: 'short' })), 400, 'invalidValue');
  const weak = await scim.post('/Users', newUser({ password: 'password1234' }));
  isScimError(t, weak, 400, 'invalidValue');
  t.regex(weak.body.detail, /common|guess/i);
  const user = await create({ password: PASSWORD });
  const changed = await scim.patch(`/Users/${user.id}`, [
    { op: 'replace', path: 'password', value: 'another-lantern-harbour-91' },
  ]);
  t.is(changed.status, 200);
  t.false('password' in changed.body);
  const audit = await auditEvents(server, { target_id: user.id, action: 'user.updated' }).first();
  t.false(JSON.stringify(audit.changes).includes('another-lantern'), 'the audit log never holds the password');
});

test('Bulk: bulkId references, failOnErrors and the advertised limits', async (t) => {
  const userName = `bulk.${Date.now()}@example.com`;
  const bulk = await scim.post('/Bulk', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    Operations: [
      // The group refers to a user created later in the same request.
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'g1',
        data: { schemas: [SCIM.group], displayName: `Bulk ${userName}`, members: [{ value: 'bulkId:u1' }] },
      },
      { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [SCIM.user], userName } },
      {
        method: 'PATCH',
        path: '/Users/bulkId:u1',
        data: { schemas: [SCIM.patchOp], Operations: [{ op: 'replace', path: 'displayName', value: 'Bulk User' }] },
      },
      { method: 'POST', path: '/Users', bulkId: 'dup', data: { schemas: [SCIM.user], userName } },
    ],
  });
  t.is(bulk.status, 200);
  const ops = bulk.body.Operations;
  t.deepEqual(
    ops.map((o: Json) => o.status),
    ['201', '201', '200', '409'],
  );
  const userId = ops[0].location && ops[1].location.split('/').pop();
  const group = await scim.get(new URL(ops[0].location).pathname.replace('/scim/v2', ''));
  t.deepEqual(
    group.body.members.map((m: Json) => m.value),
    [userId],
  );
  t.is((await scim.get(`/Users/${userId}`)).body.displayName, 'Bulk User');
  t.like(ops[3].response, { status: '409', scimType: 'uniqueness' });

  const stopped = await scim.post('/Bulk', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    failOnErrors: 1,
    Operations: [
      { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [SCIM.user] } },
      { method: 'POST', path: '/Users', bulkId: 'b', data: newUser() },
    ],
  });
  t.deepEqual(
    stopped.body.Operations.map((o: Json) => o.status),
    ['400'],
    'processing stops after failOnErrors errors',
  );

  const tooMany = await scim.post('/Bulk', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    Operations: Array.from({ length: 21 }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `x${i}`,
      data: newUser(),
    })),
  });
  isScimError(t, tooMany, 413);
});

test('hostile input is refused with a SCIM error, never a 500', async (t) => {
  isScimError(t, await scim.post('/Users', newUser({ displayName: 'a\u0000b' })), 400, 'invalidValue');
  isScimError(t, await scim.find('Users', 'userName eq "a\u0000b"'), 400, 'invalidFilter');
  const random = (n: number) =>
    Array.from({ length: n }, () => String.fromCharCode(0x4e00 + Math.floor(Math.random() * 20000))).join('');
  isScimError(t, await scim.post('/Users', newUser({ userName: random(3000) })), 400, 'invalidValue');
  isScimError(t, await scim.post('/Groups', { schemas: [SCIM.group], displayName: random(3000) }), 400, 'invalidValue');
  const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`;
  isScimError(
    t,
    await scim.post('/Users', JSON.stringify(newUser()).replace(/}$/, `,"x":${deep}}`)),
    400,
    'invalidSyntax',
  );
  const far = await scim.find('Users', 'userName sw "p"', '&startIndex=100000000000000000000');
  t.is(far.status, 200);
  t.false('Resources' in far.body && far.body.Resources.length > 0);
  t.is((await scim.get('/Groups?startIndex=100000000000000000000')).status, 200);
});

test('attributes on a write keep the Location and ETag headers', async (t) => {
  const created = await scim.request('POST', '/Users?attributes=userName', newUser());
  t.is(created.status, 201);
  t.deepEqual(Object.keys(created.body).sort(), ['id', 'schemas', 'userName']);
  t.regex(created.headers.get('location')!, new RegExp(`/Users/${created.body.id}$`));
  t.regex(created.headers.get('etag')!, /^W\/"\d+"$/);
  t.truthy((await scim.get(`/Users/${created.body.id}?attributes=id`)).headers.get('etag'));
});

test('concurrent writes: a new organization named by many creates at once, mutual managers', async (t) => {
  const org = `Org ${Date.now()}`;
  const made = await Promise.all(
    Array.from({ length: 8 }, () => scim.post('/Users', newUser({ [SCIM.enterprise]: { organization: org } }))),
  );
  t.deepEqual(
    made.map((r) => r.status),
    Array(8).fill(201),
  );
  t.deepEqual(
    made.map((r) => r.body[SCIM.enterprise]?.organization),
    Array(8).fill(org),
    'every user is in the organization',
  );
  t.is(Number((await server.db('accounts').whereRaw('lower(name) = lower(?)', [org]).count('* as c').first())!.c), 1);

  for (let round = 0; round < 3; round++) {
    const [a, b] = [await create(), await create()];
    const manager = (id: string) => [{ op: 'replace', path: `${SCIM.enterprise}:manager`, value: id }];
    const [ab, ba] = await Promise.all([
      scim.patch(`/Users/${a.id}`, manager(b.id)),
      scim.patch(`/Users/${b.id}`, manager(a.id)),
    ]);
    t.deepEqual([ab.status, ba.status], [200, 200]);
  }
});

test('a role held in an account scope is not granted again unscoped by an unrelated change', async (t) => {
  const user = await create();
  await server
    .db('role_assignments')
    .insert({ user_id: user.id, role: 'manager', account_id: '00000000-0000-4000-8000-000000000001' });
  t.is((await scim.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'displayName', value: 'Scoped' }])).status, 200);
  const rows = await server.db('role_assignments').where({ user_id: user.id, role: 'manager' });
  t.is(rows.length, 1);
  t.truthy(rows[0].account_id);
});
