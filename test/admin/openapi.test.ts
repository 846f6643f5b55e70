import test from 'ava';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { adminServerPerFile, type AdminFetch, type ApiReply } from '../helpers/admin.js';

/**
 * `/admin/api/openapi.json` describes the API the server runs: every documented
 * operation exists, nothing answers that is not documented, and real answers
 * match the documented status codes and schemas.
 */

type Operation = {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
  parameters: { name: string; in: string }[];
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

// Every operation is called once without a token: more refusals than the limit per IP allows (rate-limits.test.ts tests it).
const s = adminServerPerFile(test, { RATE_LIMIT_BEARER_IP: '100000/15m' });
let doc: Document;
let superAdmin: AdminFetch;
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, allErrors: true });
(addFormats as unknown as typeof addFormats.default)(ajv);

test.before(async () => {
  doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as Document;
  superAdmin = (await s.as('super_admin')).api;
});

const concrete = (path: string) => path.replace(/\{(\w+)\}/g, '00000000-0000-4000-8000-00000000abcd');

/** Checks an answer against the document: its status is listed, and a JSON body has the listed schema. */
function conforms(method: string, path: string, reply: ApiReply): string | undefined {
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) return `${method} ${path} is not documented`;
  const documented = op.responses[String(reply.status)];
  if (!documented)
    return `${method} ${path} answered ${reply.status}, not among ${Object.keys(op.responses).join(', ')}: ${JSON.stringify(reply.body)}`;
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) return undefined;
  const validate = ajv.compile(schema);
  return validate(reply.body)
    ? undefined
    : `${method} ${path} ${reply.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(reply.body).slice(0, 300)}`;
}

test('the document is OpenAPI 3.1 and names an operation id, a summary and answers for each operation', (t) => {
  t.is(doc.openapi, '3.1.0');
  const ops = Object.values(doc.paths).flatMap((p) => Object.values(p)) as (Operation & {
    operationId: string;
    summary: string;
  })[];
  t.true(ops.length >= 10);
  t.is(new Set(ops.map((o) => o.operationId)).size, ops.length, 'operation ids are unique');
  for (const op of ops) {
    t.truthy(op.summary);
    t.true(Object.keys(op.responses).length > 0);
  }
});

test('every documented operation exists: without a token it answers 401, not 404 or 405', async (t) => {
  const anonymous = s.client(undefined);
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      const res = await anonymous(method.toUpperCase(), concrete(path));
      t.is(res.status, 401, `${method.toUpperCase()} ${path}`);
    }
  }
});

test('methods the document does not list are refused', async (t) => {
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'].filter((m) => !(m in ops))) {
      const res = await superAdmin(
        method.toUpperCase(),
        concrete(path),
        method === 'get' || method === 'delete' ? undefined : {},
      );
      t.true([404, 405].includes(res.status), `${method.toUpperCase()} ${path} answered ${res.status}`);
    }
  }
});

test('real answers match the documented status codes and schemas', async (t) => {
  const call = async (
    method: string,
    path: string,
    actual: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => {
    const reply = await superAdmin(method, actual, body, headers);
    const problem = conforms(method, path, reply);
    t.is(problem, undefined);
    return reply;
  };
  const created = await call('POST', '/users', '/users', { email: 'doc@example.com', givenName: 'Doc', tags: ['a'] });
  const id = created.body.id as string;
  await call('POST', '/users', '/users', { email: 'doc@example.com' }); // 409
  await call('POST', '/users', '/users', { email: 'not an email' }); // 400
  await call('GET', '/users', '/users?status=new,active&sort=-email&limit=2');
  await call('GET', '/users', '/users?sort=nonsense'); // 400
  await call('GET', '/users/{id}', `/users/${id}`);
  await call('GET', '/users/{id}', '/users/00000000-0000-4000-8000-000000000000'); // 404
  await call('PATCH', '/users/{id}', `/users/${id}`, { jobTitle: 'Writer' });
  await call('PATCH', '/users/{id}', `/users/${id}`, { jobTitle: 'Editor' }, { 'if-match': 'W/"1"' }); // 412
  await call('POST', '/users/{id}/status', `/users/${id}/status`, { status: 'inactive' });
  await call('POST', '/users/bulk', '/users/bulk', { ids: [id], set: { tags: ['b'] } });
  await call('GET', '/me', '/me');
  await call('PATCH', '/me', '/me', { timezone: 'Europe/London' });
  await call('GET', '/scim-tokens', '/scim-tokens');
  await call('GET', '/clients', '/clients');
  await call('DELETE', '/users/{id}', `/users/${id}`);
  await call('DELETE', '/users/{id}', `/users/${id}`); // 204
  // Every other module's operations: each GET without path parameters answers as documented.
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (ops.get && !path.includes('{') && !path.endsWith('.csv') && !path.endsWith('.xlsx'))
      await call('GET', path, path);
  }
});
