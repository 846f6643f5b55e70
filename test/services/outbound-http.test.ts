import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { createOutboundHttpService } from '../../src/services/outbound-http.js';

/*
 * The Fetch API Gatehouse hands to openid-client and jose for an upstream identity
 * provider: private addresses are refused unless allowed, no redirect is followed,
 * the answer comes back whole.
 */

test('fetch refuses a private address unless allowed, and returns the answer when it is', async (t) => {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/moved') {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/');
      return res.end();
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => res.end(JSON.stringify({ method: req.method, body })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const guarded = createOutboundHttpService({ allowPrivate: false, timeoutMs: 2000 });
  await t.throwsAsync(guarded.fetch(`${url}/`), { message: /private, loopback or link-local/ });
  await t.throwsAsync(guarded.fetch('http://localhost:1/'), { message: /private, loopback or link-local/ });

  const open = createOutboundHttpService({ allowPrivate: true, timeoutMs: 2000 });
  const res = await open.fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code' }),
  });
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { method: 'POST', body: 'grant_type=authorization_code' });
  const moved = await open.fetch(`${url}/moved`);
  t.is(moved.status, 302, 'a redirect is returned, not followed');
});
