import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { startAdminServer, type AdminServer } from '../helpers/admin.js';
import { Browser, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { SCIM, scimToken } from '../helpers/scim.js';
import type { TestServer } from '../helpers/server.js';
import type { Json } from '../helpers/json.js';

/**
 * Property-based: generated bad input (NUL, unpaired surrogates, invalid UTF-8,
 * prototype names, huge numbers, wrong types, deep nesting, long strings) sent to
 * every admin API operation of the served OpenAPI document, the SCIM endpoints,
 * the sign-in and password-reset forms and the OIDC endpoints. Every answer is
 * below 500 and comes within REQUEST_TIMEOUT_MS. Seeded and bounded:
 * FUZZ_SEED=… reproduces a run, FUZZ_SCALE=… multiplies the number of runs.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const REQUEST_TIMEOUT_MS = 20_000;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

let admin: AdminServer;
let server: TestServer;
let adminToken: string;
let scimBearer: string;
let client: { clientId: string; clientSecret?: string; redirectUri: string };
const ids: string[] = [];
let sent = 0;

test.before(async () => {
  // Limits out of the way: every generated request reaches the code it is meant to test, not a 429.
  const unlimited = '1000000/15m';
  admin = await startAdminServer({
    LOCKOUT_MAX_ATTEMPTS: '1000',
    ...Object.fromEntries(
      ['SIGNIN_IP', 'SIGNIN_IDENTIFIER', 'RESET_MAIL', 'RESET_IP', 'CLIENT_AUTH', 'CLIENT_AUTH_IP', 'BEARER_IP'].map(
        (k) => [`RATE_LIMIT_${k}`, unlimited],
      ),
    ),
  });
  server = admin.server;
  const boss = await server.createUser({ role: 'super_admin' });
  adminToken = await admin.tokenOf(boss);
  scimBearer = await scimToken(server, 'fuzz');
  client = await server.createClient({
    clientId: 'fuzz-app',
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
  });
  // Real ids for path parameters and references, so bad bodies reach past "not found".
  for (let i = 0; i < 3; i++) ids.push((await server.createUser()).id);
  console.log(`bad-input fuzz: seed ${SEED} (FUZZ_SEED to reproduce), scale ${SCALE}`);
});
test.after.always(async () => {
  console.log(`bad-input fuzz: ${sent} requests`);
  await admin?.close();
});

// ---- generated values ----------------------------------------------------

const PROTO = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'valueOf'];
/** What PostgreSQL cannot store: every surface must refuse it with a 400. */
const unstorable = fc.oneof(
  fc.constantFrom('\0', 'a\0b', '\ud800', 'x\udc00y', '\ude00\ud83d', 'ok\ud83d'),
  fc
    .tuple(fc.string({ maxLength: 6 }), fc.constantFrom('\0', '\0', '\ud800', '\udfff'), fc.string({ maxLength: 6 }))
    .map((p) => p.join('')),
);
const otherNasty = fc.constantFrom(
  '',
  ' ',
  '%',
  '%00',
  '%ZZ',
  '\\',
  '"',
  "'; DROP TABLE users; --",
  '../../etc/passwd',
  '*',
  '_',
  '\ufffd',
  '😀',
  'Zoë',
  '9'.repeat(400),
  '1e309',
  '-1',
  'NaN',
  'null',
  'true',
  '2026-02-30T25:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  'x'.repeat(20_000),
  'urn:ietf:params:scim:schemas:core:2.0:User:__proto__',
  '\u202e\u0007\u001b[31m',
);
const nastyString = fc.oneof(
  { weight: 4, arbitrary: unstorable },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO) },
  { weight: 2, arbitrary: otherNasty },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);
/** Real ids (made in before(), so picked by index when a run happens): bad input then reaches past "not found". */
const someId = fc.nat(2).map((i) => ids[i] ?? '00000000-0000-4000-8000-000000000000');
const stringOrId = fc.oneof({ weight: 5, arbitrary: nastyString }, { weight: 1, arbitrary: someId });

const deep = (n: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < n; i++) v = { a: [v] };
  return v;
};
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: stringOrId },
  { weight: 1, arbitrary: fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -(2 ** 63), 1e-320, 0.5, -0, 0, 2 ** 31, -1) },
  { weight: 1, arbitrary: fc.oneof(fc.boolean(), fc.constant(null), fc.integer()) },
  { weight: 1, arbitrary: fc.array(stringOrId, { maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.oneof(nastyString, fc.string({ maxLength: 6 })), stringOrId, { maxKeys: 3 }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      deep(50, 'x'),
      deep(3, '\0'),
      JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'),
    ),
  },
);

/** A URL component: mostly encoded text (unpaired surrogates as their 3 bytes), sometimes raw escapes. */
const RAW_ESCAPES = [
  '%00',
  '%FF',
  '%C3',
  '%ED%A0%80',
  '%ED%B0%80',
  '%C0%80',
  '%',
  '%%',
  '%G0',
  '%E2%82',
  '%F4%90%80%80',
];
function encodeAny(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff)
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}
const urlPart = fc.oneof(
  { weight: 4, arbitrary: stringOrId.map(encodeAny) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...RAW_ESCAPES), fc.string({ maxLength: 4 }))
      .map(([raw, tail]) => raw + encodeAny(tail)),
  },
);

/** A body as bytes: JSON of generated values, or raw bytes JSON.parse or UTF-8 would refuse. */
const RAW_BODIES: (string | Buffer)[] = [
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), // {"a":"<FF FE>"}
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), // an encoded surrogate
  Buffer.from('{"a":"\0"}'),
  '{"a":"\\u0000"}',
  '{"a":"\\ud800"}',
  '{"\\u0000":1}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '[',
  '{',
  'null',
  '[]',
  '"x"',
  '1e999',
  '{"a":1e999}',
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  '',
];
/** A JSON object over the operation's own field names (and prototype names), or a raw body. */
const jsonBody = (names: string[]) =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .dictionary(
          fc.oneof(
            { weight: 5, arbitrary: fc.constantFrom(...(names.length ? names : ['x'])) },
            { weight: 1, arbitrary: fc.constantFrom(...PROTO) },
          ),
          jsonValue,
          { minKeys: 1, maxKeys: 5 },
        )
        .map((v) => JSON.stringify(v) as string | Buffer),
    },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES) },
  );
/**
 * A form or query string: a plausible `base` with one field (or a new one)
 * poisoned, so the bad value goes as deep as it can; sometimes raw bytes.
 */
const poisoned = (base: Record<string, string>, extra: string[] = [], value = urlPart) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom(...Object.keys(base), ...extra) },
            { weight: 1, arbitrary: fc.constantFrom(...PROTO) },
          ),
          value,
          fc.nat(4),
        )
        .map(([key, value, drop]) => {
          const fields = { ...base, [key]: value };
          if (drop === 0) delete fields[Object.keys(base)[0]!];
          return Object.entries(fields)
            .map(([k, v]) => `${encodeURIComponent(k)}=${v}`)
            .join('&') as string | Buffer;
        }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<string | Buffer>(
        Buffer.from([0x61, 0x3d, 0xff]),
        Buffer.from('a=\0'),
        'client_id=%ED%A0%80',
        '%00=1',
        '&&==&',
        'a=%',
      ),
    },
  );
const query = (q: string | Buffer) => (q.length ? `?${q.toString()}` : '');

// ---- sending --------------------------------------------------------------

/** How many requests a property sent, by status. */
type Tally = Map<number, number>;

/** Sends one request; fails the property on a 5xx or when no answer comes in time. */
async function send(tally: Tally, label: string, url: string, init: RequestInit = {}): Promise<number> {
  sent++;
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    throw new Error(`${label}: no answer (${(err as Error).message}) for ${init.method ?? 'GET'} ${url.slice(0, 300)}`);
  }
  const text = await res.text();
  tally.set(res.status, (tally.get(res.status) ?? 0) + 1);
  if (res.status >= 500)
    throw new Error(
      `${label}: ${res.status} ${text.slice(0, 300)} for ${init.method ?? 'GET'} ${url.slice(0, 300)} body ${String(init.body).slice(0, 300)}`,
    );
  return res.status;
}

async function check(
  t: ExecutionContext,
  tally: Tally,
  property: fc.IAsyncPropertyWithHooks<unknown[]>,
  numRuns: number,
) {
  await fc.assert(property, { seed: SEED, numRuns, endOnFailure: true, includeErrorInReport: true });
  const statuses = [...tally]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  t.log(`${[...tally.values()].reduce((a, b) => a + b, 0)} requests: ${statuses}`);
  t.pass();
}

// ---- the admin API, from its OpenAPI document -------------------------------

interface Operation {
  method: string;
  path: string;
  query: string[];
  bodyType?: string;
  bodyFields: string[];
}

async function adminOperations(): Promise<Operation[]> {
  const doc = (await (await fetch(`${admin.base}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, Json>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const content = op.requestBody?.content ?? {};
      const bodyType = Object.keys(content)[0];
      const schema = bodyType ? content[bodyType].schema : undefined;
      const props = (s: Json): string[] => [...Object.keys(s?.properties ?? {}), ...(s?.anyOf ?? []).flatMap(props)];
      return {
        method: method.toUpperCase(),
        path,
        query: (op.parameters ?? []).filter((p: Json) => p.in === 'query').map((p: Json) => p.name),
        bodyType,
        bodyFields: props(schema),
      };
    }),
  );
}

test('admin API: every operation of the OpenAPI document answers bad input below 500', async (t) => {
  const tally: Tally = new Map();
  const operations = await adminOperations();
  t.true(operations.length >= 40, `the document lists the operations (${operations.length})`);
  const csv = fc.oneof(
    fc.constantFrom<string | Buffer>(
      Buffer.from('email,givenName\nx@example.com,\xff\n', 'latin1'),
      'email\n\0@example.com\n',
      'email,givenName\n"unterminated',
      '',
    ),
    nastyString.map((s) => `email,givenName,familyName\n${s}@example.com,${s},${s}\n`),
  );
  const request = fc.nat(operations.length - 1).chain((i) => {
    const op = operations[i]!;
    const params = (op.path.match(/\{\w+\}/g) ?? []).map(() => urlPart);
    const q = op.query.length ? fc.oneof(fc.constant(''), poisoned({}, op.query)) : fc.constant('');
    const body =
      op.bodyType === 'application/json' ? jsonBody(op.bodyFields) : op.bodyType ? csv : fc.constant(undefined);
    // With a bad body or query, the path names a real record; with a bad path, the rest is plain.
    return fc.record({ op: fc.constant(op), params: fc.tuple(...params), q, body, badPath: fc.boolean(), id: someId });
  });
  await check(
    t,
    tally,
    fc.asyncProperty(request, async ({ op, params, q, body, badPath, id }) => {
      let n = 0;
      const path = op.path.replace(/\{\w+\}/g, () => (badPath ? params[n++]! : id));
      await send(tally, `admin ${op.method} ${op.path}`, `${admin.base}${path}${query(q)}`, {
        method: op.method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { 'content-type': op.bodyType! }),
        },
        body: body as BodyInit | undefined,
      });
    }),
    runs(300),
  );
});

// ---- SCIM ---------------------------------------------------------------------

const SCIM_NAMES = [
  'userName',
  'name.givenName',
  'emails',
  'emails.value',
  'emails.type',
  'members',
  'members.value',
  'displayName',
  'externalId',
  'meta.lastModified',
  'active',
  'roles',
  'groups',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
];
const attrName = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...SCIM_NAMES) },
  { weight: 3, arbitrary: fc.constantFrom(...PROTO) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...SCIM_NAMES, 'name', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
        fc.constantFrom(...PROTO),
      )
      .map(([a, p]) => (a.startsWith('urn:') ? `${a}:${p}` : `${a}.${p}`)),
  },
  { weight: 1, arbitrary: nastyString },
);
const filterText = fc.oneof(
  fc
    .tuple(attrName, fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'xx'), jsonValue)
    .map(([a, op, v]) => (op === 'pr' ? `${a} pr` : `${a} ${op} ${JSON.stringify(v) ?? 'null'}`)),
  fc
    .tuple(fc.constantFrom('emails', 'members', 'addresses', 'roles', ...PROTO), attrName, nastyString)
    .map(([a, b, v]) => `${a}[${b} eq ${JSON.stringify(v)}]`),
  fc.tuple(attrName, nastyString).map(([a, v]) => `not (${a} eq ${JSON.stringify(v)}) and (${a} pr or ${a} sw "x")`),
  fc.tuple(fc.constantFrom(...SCIM_NAMES), unstorable).map(([a, v]) => `${a} eq ${JSON.stringify(v)}`),
  nastyString,
);
/** One list parameter poisoned (the others would be refused first and hide it), sometimes with a sort. */
const scimList = fc
  .tuple(
    fc.oneof(
      { weight: 4, arbitrary: filterText.map((f) => `filter=${encodeAny(f)}`) },
      { weight: 2, arbitrary: attrName.map((a) => `sortBy=${encodeAny(a)}`) },
      { weight: 1, arbitrary: attrName.map((a) => `attributes=${encodeAny(a)}`) },
      { weight: 1, arbitrary: attrName.map((a) => `excludedAttributes=${encodeAny(a)}`) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom('startIndex', 'count', 'sortOrder'), urlPart).map(([k, v]) => `${k}=${v}`),
      },
    ),
    fc.constantFrom('', '&sortBy=userName&sortOrder=descending', '&count=2'),
  )
  .map(([a, b]) => a + b);
const patchPath = fc.oneof(
  attrName,
  fc
    .tuple(
      fc.constantFrom('emails', 'phoneNumbers', 'members', ...PROTO),
      filterText,
      fc.oneof(
        fc.constant(''),
        attrName.map((a) => `.${a}`),
      ),
    )
    .map(([a, f, sub]) => `${a}[${f}]${sub}`),
);
const patchOps = fc
  .array(
    fc.record(
      {
        op: fc.oneof(fc.constantFrom('add', 'replace', 'remove'), nastyString),
        path: patchPath,
        value: fc.oneof(jsonValue, fc.dictionary(attrName, jsonValue, { maxKeys: 3 })),
      },
      { requiredKeys: ['op'] },
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((ops) => JSON.stringify({ schemas: [SCIM.patchOp], Operations: ops }) as string | Buffer);
const USER_KEYS = [
  'userName',
  'displayName',
  'emails',
  'name',
  'active',
  'password',
  'roles',
  'externalId',
  'title',
  'phoneNumbers',
  'addresses',
  SCIM.enterprise,
  `${SCIM.enterprise}:manager`,
  `${SCIM.enterprise}:__proto__`,
];
const resourceBody = (resource: 'Users' | 'Groups') =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .dictionary(
          fc.oneof(
            fc.constantFrom(...(resource === 'Users' ? USER_KEYS : ['displayName', 'members', 'externalId'])),
            fc.constantFrom(...PROTO),
          ),
          jsonValue,
          { minKeys: 1, maxKeys: 4 },
        )
        .map(
          (d) =>
            JSON.stringify(
              resource === 'Users'
                ? { schemas: [SCIM.user], userName: `f${Math.random()}@example.com`, ...d }
                : { schemas: [SCIM.group], displayName: `g${Math.random()}`, ...d },
            ) as string | Buffer,
        ),
    },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES) },
  );
const searchBody = fc
  .tuple(filterText, attrName, jsonValue)
  .map(
    ([filter, sortBy, count]) =>
      JSON.stringify({ schemas: [SCIM.searchRequest], filter, sortBy, attributes: [sortBy], count }) as string | Buffer,
  );
const bulkBody = fc
  .array(
    fc.record({
      method: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'GET'),
      path: fc.oneof(fc.constantFrom('/Users', '/Groups', '/Users/bulkId:a'), nastyString),
      bulkId: nastyString,
      data: jsonValue,
    }),
    { maxLength: 3 },
  )
  .map((Operations) => JSON.stringify({ schemas: [SCIM.bulkRequest], Operations }) as string | Buffer);

test('SCIM: filters, sorting, projection, ids and bodies answer bad input below 500', async (t) => {
  const tally: Tally = new Map();
  const base = `${server.url}/scim/v2`;
  const resource = fc.constantFrom('Users' as const, 'Groups' as const);
  // Real users are read, replaced and patched, never deleted: the fixtures stay for the other properties.
  const request = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(resource, scimList)
        .map(([r, q]) => ({ method: 'GET', path: `/${r}${query(q)}`, body: undefined })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.oneof(someId, urlPart), scimList)
        .map(([id, q]) => ({ method: 'GET', path: `/Users/${id}${query(q)}`, body: undefined })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('/.search', '/Users/.search', '/Groups/.search'),
          fc.oneof(searchBody, fc.constantFrom(...RAW_BODIES)),
        )
        .map(([path, body]) => ({ method: 'POST', path, body })),
    },
    {
      weight: 2,
      arbitrary: resource.chain((r) => resourceBody(r).map((body) => ({ method: 'POST', path: `/${r}`, body }))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(someId, resourceBody('Users'))
        .map(([id, body]) => ({ method: 'PUT', path: `/Users/${id}`, body })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.oneof({ weight: 4, arbitrary: someId }, { weight: 1, arbitrary: urlPart }), patchOps)
        .map(([id, body]) => ({ method: 'PATCH', path: `/Users/${id}`, body })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(urlPart, patchOps).map(([id, body]) => ({ method: 'PATCH', path: `/Groups/${id}`, body })),
    },
    { weight: 1, arbitrary: bulkBody.map((body) => ({ method: 'POST', path: '/Bulk', body })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(resource, urlPart)
        .map(([r, id]) => ({ method: 'DELETE', path: `/${r}/${id}`, body: undefined })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('Schemas', 'ResourceTypes'), urlPart)
        .map(([r, id]) => ({ method: 'GET', path: `/${r}/${id}`, body: undefined })),
    },
  );
  await check(
    t,
    tally,
    fc.asyncProperty(request, async ({ method, path, body }) => {
      await send(tally, `SCIM ${method} ${path.split('?')[0]}`, `${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${scimBearer}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        },
        body: body as BodyInit | undefined,
      });
    }),
    runs(250),
  );
});

// ---- pages: sign-in and password reset -------------------------------------

test('sign-in and password-reset forms answer bad input below 500', async (t) => {
  const tally: Tally = new Map();
  const rp = await relyingParty(server, client);
  const browser = new Browser(server.url);
  const login: Page = await browser.open((await rp.authorizationUrl()).url.toString());
  const loginForm = browser.form(login, '/login');
  const uid = new URL(login.url).pathname.split('/')[2]!;
  const forgot = await browser.open('/forgot-password');
  const forgotForm = browser.form(forgot);
  const csrf = loginForm.fields._csrf ?? '';
  const request = fc.oneof(
    {
      weight: 3,
      arbitrary: poisoned({ _csrf: csrf, username: 'someone@example.com', password: 'violet-harbour-47-lantern' }).map(
        (body) => ({ url: new URL(loginForm.action, login.url).toString(), body }),
      ),
    },
    {
      weight: 2,
      arbitrary: poisoned({ _csrf: forgotForm.fields._csrf ?? '', identifier: 'someone@example.com' }).map((body) => ({
        url: new URL(forgotForm.action, forgot.url).toString(),
        body,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          urlPart,
          poisoned({ _csrf: csrf, password: 'violet-harbour-47-lantern', confirm: 'violet-harbour-47-lantern' }),
        )
        .map(([token, body]) => ({ url: `${server.url}/reset-password?token=${token}`, body })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.oneof(fc.constant(uid), urlPart),
          fc.constantFrom('login', 'mfa/totp', 'mfa/recovery', 'mfa/enrol', 'mfa/continue', 'confirm'),
          poisoned({ _csrf: csrf, code: '123456' }),
        )
        .map(([id, step, body]) => ({ url: `${server.url}/interaction/${id}/${step}`, body })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            '/forgot-password?identifier=',
            '/reset-password?token=',
            `/interaction/${uid}?x=`,
            '/interaction/',
            '/impersonation?ticket=',
            '/account/password?return=',
          ),
          urlPart,
        )
        .map(([path, x]) => ({ url: `${server.url}${path}${x}`, body: undefined })),
    },
  );
  const cookie = () => [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  await check(
    t,
    tally,
    fc.asyncProperty(request, async ({ url, body }) => {
      await send(tally, `page ${new URL(url).pathname.slice(0, 40)}`, url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          cookie: cookie(),
          ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        body: body as BodyInit | undefined,
      });
    }),
    runs(120),
  );
});

// ---- OIDC endpoints ------------------------------------------------------------

test('OIDC endpoints answer bad client ids, codes, tokens and resource indicators below 500', async (t) => {
  const tally: Tally = new Map();
  const basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
  const headerSafe = fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 60,
  });
  const badBasic = fc.oneof(
    headerSafe.map((h) => `Basic ${h}`),
    urlPart.map((x) => `Basic ${Buffer.from(`${x}:${x}`).toString('base64')}`),
    stringOrId.map((x) => `Basic ${Buffer.from(`${x}:x`).toString('base64')}`),
  );
  const redirect = client.redirectUri;
  // Client ids, codes, tokens and resource indicators reach oidc-provider's look-ups: mostly what cannot be stored.
  const v = fc.oneof(
    { weight: 2, arbitrary: unstorable.map(encodeAny) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_ESCAPES) },
    { weight: 2, arbitrary: urlPart },
  );
  const bad = (base: Record<string, string>, extra: string[] = []) => poisoned(base, extra, v);
  const authorize = {
    client_id: client.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirect,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCQaoWPbSJ7ZuhaiMQ0bRJ9Y',
    code_challenge_method: 'S256',
    state: 's',
  };
  const authorizeExtra = [
    'resource',
    'prompt',
    'request_uri',
    'login_hint',
    'ui_locales',
    'claims',
    'max_age',
    'id_token_hint',
    'nonce',
    'acr_values',
  ];
  const form = (body: fc.Arbitrary<string | Buffer>, auth: fc.Arbitrary<string | undefined>, path: string) =>
    fc.tuple(body, auth).map(([b, a]) => ({ method: 'POST', path, body: b, auth: a, accept: 'application/json' }));
  const withBasic = fc.oneof(
    { weight: 3, arbitrary: fc.constant<string | undefined>(basic) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: badBasic },
  );
  const request = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(bad(authorize, authorizeExtra), fc.constantFrom('text/html', 'application/json'))
        .map(([q, accept]) => ({ method: 'GET', path: `/auth${query(q)}`, body: undefined, auth: undefined, accept })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(bad(authorize, authorizeExtra), fc.constantFrom('text/html', 'application/json'))
        .map(([body, accept]) => ({ method: 'POST', path: '/auth', body, auth: undefined, accept })),
    },
    {
      weight: 2,
      arbitrary: form(
        bad({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'x', scope: 'openid' }, [
          'resource',
          'audience',
        ]),
        fc.constant(undefined),
        '/token',
      ),
    },
    {
      weight: 2,
      arbitrary: form(
        bad({ grant_type: 'authorization_code', code: 'abc', redirect_uri: redirect, code_verifier: 'v'.repeat(43) }, [
          'resource',
          'client_id',
        ]),
        withBasic,
        '/token',
      ),
    },
    {
      weight: 1,
      arbitrary: form(
        bad({ grant_type: 'refresh_token', refresh_token: 'abc' }, ['resource', 'scope']),
        withBasic,
        '/token',
      ),
    },
    {
      weight: 1,
      arbitrary: form(
        bad({ grant_type: 'client_credentials', resource: `${server.url}/scim/v2`, scope: 'scim' }),
        withBasic,
        '/token',
      ),
    },
    {
      weight: 1,
      arbitrary: form(
        bad(
          {
            grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
            subject_token: 'abc',
            subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          },
          ['actor_token', 'actor_token_type', 'audience', 'resource', 'requested_token_type'],
        ),
        withBasic,
        '/token',
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('/token/introspection', '/token/revocation'),
          bad({ token: 'abc', token_type_hint: 'access_token' }, ['client_id']),
          withBasic,
        )
        .map(([path, body, auth]) => ({ method: 'POST', path, body, auth, accept: 'application/json' })),
    },
    {
      weight: 2,
      arbitrary: form(
        bad(
          {
            client_id: client.clientId,
            response_type: 'code',
            scope: 'openid',
            redirect_uri: redirect,
            code_challenge: authorize.code_challenge,
            code_challenge_method: 'S256',
          },
          ['resource', 'request'],
        ),
        withBasic,
        '/request',
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          bad({ client_id: client.clientId, post_logout_redirect_uri: 'http://rp.test/bye', state: 's' }, [
            'id_token_hint',
            'ui_locales',
            'logout_hint',
          ]),
          fc.constantFrom('text/html', 'application/json'),
        )
        .map(([q, accept]) => ({
          method: 'GET',
          path: `/session/end${query(q)}`,
          body: undefined,
          auth: undefined,
          accept,
        })),
    },
    {
      weight: 1,
      arbitrary: bad({ xsrf: 'x', logout: 'yes' }).map((body) => ({
        method: 'POST',
        path: '/session/end/confirm',
        body,
        auth: undefined,
        accept: 'text/html',
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.oneof(fc.constant(''), bad({ access_token: 'abc' })),
          fc.oneof(
            fc.constant(undefined),
            headerSafe.map((h) => `Bearer ${h}`),
          ),
        )
        .map(([q, auth]) => ({
          method: 'GET',
          path: `/me${query(q)}`,
          body: undefined,
          auth,
          accept: 'application/json',
        })),
    },
    {
      weight: 1,
      arbitrary: bad({ access_token: 'abc' }).map((body) => ({
        method: 'POST',
        path: '/me',
        body,
        auth: undefined,
        accept: 'application/json',
      })),
    },
  );
  await check(
    t,
    tally,
    fc.asyncProperty(request, async ({ method, path, body, auth, accept }) => {
      await send(tally, `OIDC ${method} ${path.split('?')[0]}`, `${server.url}${path}`, {
        method,
        headers: {
          accept,
          ...(auth ? { authorization: auth } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        body: body as BodyInit | undefined,
      });
    }),
    runs(230),
  );
});
