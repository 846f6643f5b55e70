import test from 'ava';
import { RetryLater } from '../../src/errors/retry-later.js';
import { createPasswordHasherService } from '../../src/services/password-hasher.js';

// The cheapest argon2id cost: the limit is what is tested.
const PARAMS = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

test('at most `concurrency` argon2 computations run at once; the others wait their turn and all complete', async (t) => {
  const hasher = createPasswordHasherService(PARAMS, { concurrency: 2, queueMax: 8 });
  const hash = await hasher.hash('violet-harbour-47-lantern');
  const checks = Array.from({ length: 6 }, (_, i) =>
    hasher.verify(hash, i % 2 ? 'violet-harbour-47-lantern' : 'wrong'),
  );
  t.deepEqual(hasher.load(), { running: 2, waiting: 4 });
  t.deepEqual(await Promise.all(checks), [false, true, false, true, false, true]);
  t.deepEqual(hasher.load(), { running: 0, waiting: 0 });
});

test('with the queue full, one more check is refused at once with 503 and Retry-After, not left waiting', async (t) => {
  const hasher = createPasswordHasherService(PARAMS, { concurrency: 1, queueMax: 1 });
  const hash = await hasher.hash('violet-harbour-47-lantern');
  const running = hasher.verify(hash, 'violet-harbour-47-lantern');
  const queued = hasher.verify(hash, 'wrong');
  // The dummy check of an unknown identifier waits in the same queue.
  const refused = await t.throwsAsync(hasher.verifyDummy('anything'), { instanceOf: RetryLater });
  t.is(refused.status, 503);
  t.is(refused.code, 'server.busy');
  t.is(refused.retryAfterSeconds, 1);
  t.true(await running);
  t.false(await queued);
});
