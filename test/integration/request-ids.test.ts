import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { createLogger } from '../../src/config/logger.js';
import { Browser } from '../helpers/browser.js';
import { perFile } from '../helpers/per-file.js';
import { startServer } from '../helpers/server.js';

/**
 * Request ids and the access log: a sane X-Request-Id is kept, anything else replaced;
 * the id is echoed, on every log line of the request, on error pages and in JSON errors.
 * The server's log is read here, line by line, as an operator's collector would.
 */
const lines: Record<string, unknown>[] = [];
const s = perFile(
  test,
  () => startServer({}, { log: createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) }) }),
  (x) => x.close(),
);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The log lines of one request, waiting (up to 10 s) until one with `msg` is among them. */
async function linesOf(requestId: string, msg = 'request'): Promise<Record<string, unknown>[]> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const mine = lines.filter((l) => l.requestId === requestId);
    if (mine.some((l) => l.msg === msg) || performance.now() > deadline) return mine;
    await sleep(50);
  }
}

test('without METRICS_TOKEN or METRICS_PORT there are no metrics on the public port', async (t) => {
  const res = await fetch(`${s.url}/metrics`);
  t.is(res.status, 404);
  t.false((await res.text()).includes('gatehouse_'));
});

test('a sane X-Request-Id is echoed and carried by the access log line', async (t) => {
  const id = 'lb-7f3a.trace_42-B';
  const res = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': id } });
  t.is(res.status, 200);
  t.is(res.headers.get('x-request-id'), id);
  const [line] = await linesOf(id);
  t.like(line, { level: 30, msg: 'request', method: 'GET', route: '/healthz', status: 200, requestId: id });
  t.is(typeof line?.ms, 'number');
});

test('without one, or with one that is not sane, the server makes a new id', async (t) => {
  const given = [undefined, '', 'has space', 'a'.repeat(129), 'semi;colon', 'quote"d', 'ünïcode'];
  const seen = new Set<string>();
  for (const id of given) {
    const res = await fetch(`${s.url}/healthz`, { headers: id === undefined ? {} : { 'x-request-id': id } });
    const echoed = res.headers.get('x-request-id') ?? '';
    t.regex(echoed, UUID, `given ${JSON.stringify(id)}`);
    seen.add(echoed);
  }
  t.is(seen.size, given.length, 'a new id each time');
  const longest = 'a'.repeat(128);
  t.is(
    (await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': longest } })).headers.get('x-request-id'),
    longest,
  );
});

test('an error page shows the request id as its reference; the log keeps no token from the query string', async (t) => {
  const secret = `reset-token-${Date.now()}-never-logged`;
  const res = await fetch(`${s.url}/reset-password?token=${secret}`, { headers: { 'x-request-id': 'page-error-1' } });
  const html = await res.text();
  t.is(res.status, 400);
  t.true(html.includes('Reference: <code>page-error-1</code>'), html);
  t.true(html.includes('<code>password_reset.invalid_token</code>'));
  const [line] = await linesOf('page-error-1');
  t.like(line, { msg: 'request', method: 'GET', route: '/reset-password', status: 400 });
  t.false(
    lines.some((l) => JSON.stringify(l).includes(secret)),
    'the token is in no log line',
  );
});

test("the provider's own error page shows the reference too", async (t) => {
  const res = await fetch(`${s.url}/auth?client_id=nobody&response_type=code&scope=openid`, {
    headers: { accept: 'text/html', 'x-request-id': 'oidc-error-1' },
  });
  t.is(res.status, 400);
  t.true((await res.text()).includes('Reference: <code>oidc-error-1</code>'));
});

test('a JSON error carries the request id', async (t) => {
  const res = await fetch(`${s.url}/admin/api/users`, { headers: { 'x-request-id': 'json-error-1' } });
  t.is(res.status, 401);
  t.like(await res.json(), { error: 'admin_api.unauthorized', requestId: 'json-error-1' });
  const generated = await fetch(`${s.url}/admin/api/users`, { headers: { authorization: 'Bearer nope' } });
  t.is(((await generated.json()) as { requestId: string }).requestId, generated.headers.get('x-request-id') ?? '');
});

test("every log line of a request carries its id, the services' lines too", async (t) => {
  const user = await s.createUser();
  const browser = new Browser(s.url);
  const form = await browser.open('/forgot-password');
  const sent = await browser.submit(form, { identifier: user.email }, '/forgot-password');
  t.is(sent.status, 200);
  const id = sent.headers?.get('x-request-id') ?? '';
  t.regex(id, UUID);
  // The reset mail goes after the answer; its line still names the request.
  const mine = await linesOf(id, 'mail.sent');
  t.deepEqual(mine.map((l) => l.msg).sort(), ['mail.sent', 'request']);
  t.like(
    mine.find((l) => l.msg === 'request'),
    { method: 'POST', route: '/forgot-password', status: 200 },
  );
  t.false(mine.some((l) => 'path' in l || JSON.stringify(l).includes('password=')));
});

test('the access log names the client when one is known', async (t) => {
  const client = await s.createClient({ clientId: 'logged-app', grantTypes: ['client_credentials'] });
  const res = await fetch(`${s.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'x-request-id': 'token-1',
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token: string };
  t.is(res.status, 200);
  const [line] = await linesOf('token-1');
  t.like(line, { msg: 'request', method: 'POST', route: '/token', status: 200, clientId: 'logged-app' });
  t.false(
    lines.some(
      (l) => JSON.stringify(l).includes(body.access_token) || JSON.stringify(l).includes(client.clientSecret!),
    ),
    'no token or secret logged',
  );
});
