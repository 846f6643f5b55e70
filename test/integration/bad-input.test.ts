import test, { type ExecutionContext } from 'ava';
import * as oidc from 'openid-client';
import { adminServerPerFile, type AdminServer } from '../helpers/admin.js';
import { Browser } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { SCIM, scimClient, scimToken, type ScimClient } from '../helpers/scim.js';
import type { TestServer } from '../helpers/server.js';
import type { Json } from '../helpers/json.js';

/**
 * Input PostgreSQL cannot store (NUL, unpaired surrogates, invalid UTF-8) is a
 * 400 with a clear code on every surface, and attribute names such as
 * `constructor` or `__proto__` are unknown attributes, never a 500.
 */
const admin = adminServerPerFile(test);
let server: TestServer;
let scim: ScimClient;
let api: ReturnType<AdminServer['client']>;
let token: string;
let scimBearer: string;
let client: { clientId: string; clientSecret?: string; redirectUri: string };

test.before(async () => {
  server = admin.server;
  const boss = await server.createUser({ role: 'super_admin' });
  token = `Bearer ${await admin.tokenOf(boss)}`;
  api = admin.client(token.slice('Bearer '.length));
  scimBearer = await scimToken(server, 'bad-input');
  scim = scimClient(server, scimBearer);
  client = await server.createClient({ clientId: 'app', grantTypes: ['authorization_code', 'client_credentials'] });
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const post = (path: string, body: BodyInit, headers: Record<string, string> = FORM) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers, body });
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers, redirect: 'manual' });

async function isOAuthError(t: ExecutionContext, res: Response) {
  const text = await res.text();
  t.is(res.status, 400, text);
  t.like(JSON.parse(text), { error: 'invalid_request' });
  t.regex(JSON.parse(text).error_description, /cannot be stored/);
}
async function isErrorPage(t: ExecutionContext, res: Response, code: string) {
  const html = await res.text();
  t.is(res.status, 400, html.slice(0, 300));
  t.regex(res.headers.get('content-type') ?? '', /html/);
  t.true(html.includes(`<code>${code}</code>`), html);
}

// The six inputs the issue names that need no credentials, and a few more.
test('POST /token: a NUL or an escaped surrogate in client_id is invalid_request', async (t) => {
  await isOAuthError(t, await post('/token', 'grant_type=client_credentials&client_id=a%00b&client_secret=x'));
  await isOAuthError(t, await post('/token', 'grant_type=client_credentials&client_id=a%ED%A0%80b&client_secret=x'));
  await isOAuthError(
    t,
    await post('/token', Buffer.from('grant_type=client_credentials&client_id=a\xffb&client_secret=x', 'latin1')),
  );
  await isOAuthError(
    t,
    await post('/token', 'grant_type=authorization_code&code=a%00&redirect_uri=http://rp.test/callback', {
      ...FORM,
      authorization: `Basic ${Buffer.from(`app:${client.clientSecret}`).toString('base64')}`,
    }),
  );
});

test('POST /token still serves a good request after the body is checked', async (t) => {
  const rp = await relyingParty(server, client);
  const tokens = await oidc.clientCredentialsGrant(rp.config, {});
  t.truthy(tokens.access_token);
});

test('GET /auth: a NUL in client_id or resource is invalid_request, as a page for a browser and as JSON otherwise', async (t) => {
  await isErrorPage(
    t,
    await get('/auth?client_id=a%00b&response_type=code&scope=openid', { accept: 'text/html' }),
    'invalid_request',
  );
  await isOAuthError(
    t,
    await get('/auth?client_id=a%00b&response_type=code&scope=openid', { accept: 'application/json' }),
  );
  await isOAuthError(
    t,
    await get(
      `/auth?client_id=app&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(client.redirectUri)}&resource=https%3A%2F%2Fapi%00`,
      { accept: 'application/json' },
    ),
  );
});

test('/session/end and PAR: a NUL in client_id is invalid_request', async (t) => {
  await isOAuthError(t, await get('/session/end?client_id=a%00b', { accept: 'application/json' }));
  await isOAuthError(t, await post('/request', 'client_id=a%00b&response_type=code&scope=openid'));
  await isOAuthError(t, await post('/token/introspection', 'token=a%00b&client_id=app&client_secret=x'));
  await isOAuthError(t, await post('/token/revocation', 'token=a%ED%B0%80b&client_id=app&client_secret=x'));
});

test('sign-in form: a NUL in the username is the error page (400), and the form still works afterwards', async (t) => {
  const rp = await relyingParty(server, client);
  const browser = new Browser(server.url);
  const page = await browser.open((await rp.authorizationUrl()).url.toString());
  const form = browser.form(page, '/login');
  const body = new URLSearchParams({ ...form.fields, username: 'a\0b', password: 'x' }).toString();
  await isErrorPage(
    t,
    await browser.fetch(new URL(form.action, page.url).toString(), { method: 'POST', headers: FORM, body }),
    'request.invalid_characters',
  );
  const surrogate = `${new URLSearchParams(form.fields).toString()}&username=a%ED%A0%80&password=x`;
  await isErrorPage(
    t,
    await browser.fetch(new URL(form.action, page.url).toString(), { method: 'POST', headers: FORM, body: surrogate }),
    'request.invalid_characters',
  );
});

test('forgot password: a NUL in the identifier is the error page (400)', async (t) => {
  const browser = new Browser(server.url);
  const page = await browser.open('/forgot-password');
  const form = browser.form(page);
  const body = new URLSearchParams({ ...form.fields, identifier: 'a\0@example.com' }).toString();
  await isErrorPage(
    t,
    await browser.fetch(new URL(form.action, page.url).toString(), { method: 'POST', headers: FORM, body }),
    'request.invalid_characters',
  );
});

// The admin API: `{ error: 'request.invalid_characters' }` wherever the input came in.
test('admin API: NUL and unpaired surrogates in a path, a query or a JSON body are request.invalid_characters', async (t) => {
  const cases: [string, string, unknown?][] = [
    ['GET', '/users/a%00b'],
    ['GET', '/users?q=a%00'],
    ['GET', '/users?q=%ED%A0%80'],
    ['POST', '/users', { email: 'nul@example.com', givenName: 'A\0', familyName: 'B', role: 'individual' }],
    ['POST', '/users', { email: 'pair@example.com', givenName: 'A\ud800', familyName: 'B', role: 'individual' }],
    ['POST', '/groups', { 'na\0me': 'x' }],
  ];
  for (const [method, path, body] of cases) {
    const res = await api(method, path, body);
    t.is(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
    t.is(res.body.error, 'request.invalid_characters', `${method} ${path}`);
    t.regex(res.body.message, /cannot be stored/);
  }
  t.like((await api('GET', '/users?q=a%00')).body, { details: { parameter: 'q' } }, 'the message names the parameter');
  const raw = await fetch(`${admin.base}/users`, {
    method: 'POST',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: Buffer.from('{"email":"x@example.com","givenName":"\xff","familyName":"B","role":"individual"}', 'latin1'),
  });
  t.is(raw.status, 400);
  t.is(((await raw.json()) as { error: string }).error, 'request.invalid_characters');
});

// SCIM: the RFC 7644 error schema, and attribute names looked up as own keys only.
const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

async function isScimError(
  t: ExecutionContext,
  res: { status: number; body: Json },
  scimTypes: string[],
  label: string,
) {
  t.is(res.status, 400, `${label}: ${JSON.stringify(res.body)}`);
  t.deepEqual(res.body?.schemas, [SCIM.error], label);
  t.true(scimTypes.includes(res.body?.scimType), `${label}: ${res.body?.scimType}`);
}

test('SCIM: NUL and unpaired surrogates in a path, a filter or a body are invalidValue', async (t) => {
  await isScimError(t, await scim.get('/Users/a%00b'), ['invalidValue'], 'path');
  await isScimError(t, await scim.get('/Users?filter=userName%20eq%20%22%ED%A0%80%22'), ['invalidFilter'], 'filter');
  await isScimError(t, await scim.get('/Users?sortBy=a%00'), ['invalidValue'], 'sortBy');
  await isScimError(
    t,
    await scim.post('/Users', { schemas: [SCIM.user], userName: 'pair\ud800@example.com' }),
    ['invalidValue'],
    'body',
  );
  const raw = await fetch(`${server.url}/scim/v2/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${scimBearer}`, 'content-type': 'application/scim+json' },
    body: Buffer.from(`{"schemas":["${SCIM.user}"],"userName":"\xff@example.com"}`, 'latin1'),
  });
  await isScimError(t, { status: raw.status, body: await raw.json() }, ['invalidValue'], 'invalid UTF-8');
});

test('SCIM: __proto__, constructor, toString and hasOwnProperty are unknown attributes in filter and sortBy', async (t) => {
  for (const name of PROTO_NAMES) {
    for (const resource of ['Users', 'Groups'] as const) {
      await isScimError(
        t,
        await scim.get(`/${resource}?sortBy=${name}`),
        ['invalidValue', 'invalidSyntax'],
        `${resource} sortBy=${name}`,
      );
      for (const filter of [
        `${name} pr`,
        `${name} eq "x"`,
        `emails.${name} eq "x"`,
        `members[${name} eq "x"]`,
        `emails[${name} eq "x"]`,
        `name.${name} pr`,
      ]) {
        await isScimError(t, await scim.find(resource, filter), ['invalidFilter'], `${resource} filter=${filter}`);
      }
    }
    await isScimError(
      t,
      await scim.get(`/Users?sortBy=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:${name}`),
      ['invalidValue', 'invalidSyntax'],
      `sortBy=enterprise:${name}`,
    );
    await isScimError(
      t,
      await scim.find('Users', `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:${name} pr`),
      ['invalidFilter'],
      `filter=enterprise:${name}`,
    );
  }
});

test('SCIM: prototype names are unknown in attributes, PATCH paths and bodies', async (t) => {
  const created = await scim.post('/Users', { schemas: [SCIM.user], userName: `proto.${Date.now()}@example.com` });
  t.is(created.status, 201);
  const id = created.body.id;
  for (const name of PROTO_NAMES) {
    const projected = await scim.get(`/Users/${id}?attributes=${name}&excludedAttributes=${name}`);
    t.is(projected.status, 200, `attributes=${name}`);
    for (const path of [name, `name.${name}`, `emails[${name} eq "x"]`, `emails[type eq "work"].${name}`]) {
      await isScimError(
        t,
        await scim.patch(`/Users/${id}`, [{ op: 'replace', path, value: 'x' }]),
        ['invalidPath', 'invalidFilter'],
        `PATCH path=${path}`,
      );
    }
    const noPath = JSON.parse(
      `{"schemas":["${SCIM.patchOp}"],"Operations":[{"op":"add","value":{"${name}":{"organization":"Evil"}}}]}`,
    );
    await isScimError(
      t,
      await scim.request('PATCH', `/Users/${id}`, noPath),
      ['invalidPath', 'invalidValue'],
      `PATCH value key ${name}`,
    );
  }
  // A "__proto__" key in the flattened enterprise form is an unknown attribute, not the extension's prototype.
  const body = JSON.parse(
    `{"schemas":["${SCIM.user}"],"userName":"flat.${Date.now()}@example.com","${SCIM.enterprise}:__proto__":{"organization":"Evil Corp"},"constructor":"x"}`,
  );
  const flat = await scim.request('POST', '/Users', body);
  t.is(flat.status, 201, JSON.stringify(flat.body));
  t.is(flat.body[SCIM.enterprise]?.organization, undefined);
});
