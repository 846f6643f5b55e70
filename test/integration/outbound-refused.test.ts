import test from 'ava';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import type { Json } from '../helpers/json.js';
import { perFile } from '../helpers/per-file.js';
import { eventually, startReceiver } from '../helpers/receiver.js';

// Without OUTBOUND_ALLOW_PRIVATE, as in production: a receiver on this machine may not be called.
const s = adminServerPerFile(test, { OUTBOUND_RETRY_DELAY_SECONDS: '1', OUTBOUND_POLL_SECONDS: '0.5' });
const admin = signedInPerFile(test, s, 'super_admin');
const receiver = perFile(
  test,
  () => startReceiver(),
  (r) => r.down(),
);

test('a webhook to a loopback address, by IP or by a name that resolves to it, fails at once and sends nothing', async (t) => {
  const port = new URL(receiver.url).port;
  const hooks = [];
  for (const url of [`http://127.0.0.1:${port}/by-ip`, `http://localhost:${port}/by-name`]) {
    const made = await admin.api('POST', '/webhooks', { url, events: ['user.created'] });
    t.is(made.status, 201);
    hooks.push(made.body.id as string);
  }
  await s.server.createUser();

  for (const id of hooks) {
    const failed: Json = await eventually(async () => {
      const [d] = (await admin.api('GET', `/webhooks/${id}/deliveries`)).body.items;
      return d?.status === 'failed' ? d : undefined;
    }, 'the delivery to fail');
    // Refused before any connection: one attempt, no answer, no retry.
    t.is(failed.attempts, 1);
    t.is(failed.responseStatus, null);
    t.regex(failed.lastError, /private, loopback or link-local address \((127\.0\.0\.1|::1)\)/);
  }
  t.deepEqual(receiver.received, []);
});
