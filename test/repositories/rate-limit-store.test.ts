import test from 'ava';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { createRateLimitStore } from '../../src/repositories/rate-limit-store.js';
import { useMigratedDatabase } from '../helpers/database.js';

const database = useMigratedDatabase(test);

const limiterOn = (store: ReturnType<typeof createRateLimitStore>, keyPrefix: string, duration: number) =>
  new RateLimiterPostgres({
    storeClient: store.client,
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
    keyPrefix,
    points: 2,
    duration,
  });

test("rate-limiter-flexible's statements run through the store: counting, refusing past the limit, reading, deleting", async (t) => {
  const store = createRateLimitStore(await database());
  const limiter = limiterOn(store, 'count', 3600);
  t.is((await limiter.consume('k')).remainingPoints, 1);
  t.is((await limiter.consume('k')).remainingPoints, 0);
  const refused = await t.throwsAsync(limiter.consume('k') as Promise<unknown>, { any: true });
  t.is((refused as unknown as { consumedPoints: number }).consumedPoints, 3);
  t.is((await limiter.get('k'))?.consumedPoints, 3);
  t.true(await limiter.delete('k'));
  t.is(await limiter.get('k'), null);
});

test('deleteExpired removes only the rows whose window has ended', async (t) => {
  const db = await database();
  const store = createRateLimitStore(db);
  await limiterOn(store, 'ended', 1).penalty('k', 1);
  await limiterOn(store, 'live', 3600).penalty('k', 1);
  // A minute on, the 1-second window has ended; the hour-long ones (here and in the other test) have not.
  t.is(await store.deleteExpired(new Date(Date.now() + 60_000)), 1);
  t.deepEqual(
    (await db('rate_limits').whereIn('key', ['ended:k', 'live:k']).select('key')).map((r) => r.key),
    ['live:k'],
  );
});
