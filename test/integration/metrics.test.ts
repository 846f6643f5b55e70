import test from 'ava';
import { Browser } from '../helpers/browser.js';
import { sample } from '../helpers/metrics.js';
import { perFile } from '../helpers/per-file.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD, startServer } from '../helpers/server.js';

/**
 * Prometheus metrics at /metrics: absent unless configured, behind METRICS_TOKEN on the
 * public port, and figures that move with what the server does. (METRICS_PORT, the
 * listener of its own, is main.ts's: test/integration/telemetry-process.test.ts; with neither
 * variable /metrics is 404: test/integration/request-ids.test.ts, whose server has none.)
 */
const TOKEN = 'metrics-token-0123456789abcdef';
// One refused SCIM bearer per IP is the limit: the second is a rate-limit refusal.
const s = perFile(
  test,
  () => startServer({ METRICS_TOKEN: TOKEN, RATE_LIMIT_BEARER_IP: '1/15m', MFA_REQUIRED_ROLES: '' }),
  (x) => x.close(),
);

async function scrape(token = TOKEN): Promise<string> {
  const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`metrics answered ${res.status}: ${text}`);
  return text;
}

test('with METRICS_TOKEN, /metrics needs that bearer token', async (t) => {
  const none = await fetch(`${s.url}/metrics`);
  t.is(none.status, 401);
  t.is(none.headers.get('www-authenticate'), 'Bearer realm="metrics"');
  t.like(await none.json(), { error: 'metrics.unauthorized' });
  for (const wrong of [`${TOKEN}x`, TOKEN.slice(0, -1), 'short']) {
    const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${wrong}` } });
    t.is(res.status, 401, wrong);
    t.false((await res.text()).includes('gatehouse_'));
  }
  const ok = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.is(ok.status, 200);
  t.regex(ok.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await ok.text();
  // Node's process metrics, the pool (PGlite: one connection) and the import jobs by state.
  t.true(sample(text, 'process_cpu_user_seconds_total') > 0, 'process metrics');
  t.true(text.includes('nodejs_eventloop_lag_seconds'), 'event loop lag');
  t.true(sample(text, 'gatehouse_db_pool_connections', { state: 'max' }) >= 1, text);
  // Reported; how many wait at the moment of the scrape depends on the background work (job queue, listeners).
  t.regex(text, /^gatehouse_db_pool_connections\{state="waiting"\} \d+$/m);
  t.true(text.includes('gatehouse_import_jobs{state="running"} 0'), 'import jobs by state');
});

test('requests are counted by route template, never by path', async (t) => {
  const uid = `probe${Date.now()}`;
  const before = await scrape();
  await fetch(`${s.url}/healthz`);
  await fetch(`${s.url}/interaction/${uid}`);
  await fetch(`${s.url}/no-such-page-${uid}`);
  const after = await scrape();
  const healthz = { method: 'GET', route: '/healthz', status: '200' };
  t.is(
    sample(after, 'gatehouse_http_requests_total', healthz) - sample(before, 'gatehouse_http_requests_total', healthz),
    1,
  );
  t.is(
    sample(after, 'gatehouse_http_request_duration_seconds_count', healthz),
    sample(after, 'gatehouse_http_requests_total', healthz),
  );
  t.regex(after, /gatehouse_http_requests_total\{method="GET",route="\/interaction\/:uid",status="\d+"\}/);
  t.true(sample(after, 'gatehouse_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }) >= 1);
  t.false(after.includes(uid), 'no path in a label');
});

test('sign-ins by result, tokens by grant type', async (t) => {
  const user = await s.createUser();
  const client = await s.createClient({
    clientId: 'metrics-app',
    grantTypes: ['authorization_code', 'client_credentials'],
  });
  const rp = await relyingParty(s, client);
  const failed = { result: 'failed', reason: 'bad_password' };
  const succeeded = { result: 'succeeded', reason: '' };
  const before = await scrape();

  // A wrong password, then the right one.
  const browser = new Browser(s.url);
  const form = await browser.open((await rp.authorizationUrl()).url.toString());
  const refused = await browser.submit(form, { username: user.email, password: 'not-the-password-1234' }, '/login');
  t.is(refused.leftTo, undefined);
  const mid = await scrape();
  t.is(
    sample(mid, 'gatehouse_sign_in_attempts_total', failed) -
      sample(before, 'gatehouse_sign_in_attempts_total', failed),
    1,
  );
  t.is(
    sample(mid, 'gatehouse_sign_in_attempts_total', succeeded),
    sample(before, 'gatehouse_sign_in_attempts_total', succeeded),
  );

  await rp.signIn({ username: user.email, password: PASSWORD });
  const token = await fetch(`${s.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  t.is(token.status, 200);
  const after = await scrape();
  const diff = (name: string, labels: Record<string, string>) =>
    sample(after, name, labels) - sample(mid, name, labels);
  t.is(diff('gatehouse_sign_in_attempts_total', succeeded), 1);
  t.is(diff('gatehouse_tokens_issued_total', { grant_type: 'authorization_code' }), 1);
  t.is(diff('gatehouse_tokens_issued_total', { grant_type: 'client_credentials' }), 1);
  t.is(diff('gatehouse_http_requests_total', { method: 'POST', route: '/token', status: '200' }), 2);
});

test('SCIM requests by operation, and a rate-limit refusal', async (t) => {
  const before = await scrape();
  const bad = { authorization: 'Bearer not-a-scim-token' };
  t.is((await fetch(`${s.url}/scim/v2/Users?count=1`, { headers: bad })).status, 401);
  t.is((await fetch(`${s.url}/scim/v2/Users/some-id`, { headers: bad })).status, 429);
  const after = await scrape();
  const diff = (name: string, labels: Record<string, string>) =>
    sample(after, name, labels) - sample(before, name, labels);
  t.is(diff('gatehouse_scim_requests_total', { operation: 'users.list', status: '401' }), 1);
  t.is(diff('gatehouse_scim_requests_total', { operation: 'users.get', status: '429' }), 1);
  t.is(diff('gatehouse_rate_limit_refusals_total', { limit: 'bearer_ip' }), 1);
  t.is(diff('gatehouse_http_requests_total', { method: 'GET', route: '/scim/v2/*', status: '429' }), 1);
});
