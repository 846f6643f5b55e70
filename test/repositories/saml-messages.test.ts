import test from 'ava';
import { createSamlAssertionsSeenRepository } from '../../src/repositories/saml-assertions-seen.js';
import { createSamlRequestsRepository } from '../../src/repositories/saml-requests.js';
import { useMigratedDatabase } from '../helpers/database.js';

/* The SAML requests waiting for answers and the assertion ids already accepted. */

const database = useMigratedDatabase(test);
const NOW = new Date('2026-12-11T10:00:00Z');
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

test('a waiting request is consumed once, by its provider, before it expires', async (t) => {
  const requests = createSamlRequestsRepository(await database());
  await requests.issue({ provider: 'acme', requestId: '_r1', relayState: 'i1', expiresAt: later(30) });
  await requests.issue({ provider: 'acme', requestId: '_r2', relayState: 'i2', expiresAt: later(30) });
  t.is(await requests.consume('globex', '_r1', NOW), undefined);
  t.is(await requests.consume('acme', '_r1', NOW), 'i1');
  t.is(await requests.consume('acme', '_r1', NOW), undefined);
  t.is(await requests.consume('acme', '_r2', later(30)), undefined);
  t.is(await requests.purgeExpired(later(30)), 1);
  t.is(await requests.consume('acme', '_r2', NOW), undefined);
});

test('two answers consuming the same request at once: one gets it', async (t) => {
  const requests = createSamlRequestsRepository(await database());
  await requests.issue({ provider: 'acme', requestId: '_race', relayState: 'i', expiresAt: later(60) });
  const got = await Promise.all([1, 2, 3].map(() => requests.consume('acme', '_race', NOW)));
  t.deepEqual(got.filter(Boolean), ['i']);
});

test('an assertion id is new once per provider; the same id again is a replay, even at once', async (t) => {
  const seen = createSamlAssertionsSeenRepository(await database());
  const first = await Promise.all(
    [1, 2, 3].map(() => seen.record({ provider: 'acme', assertionId: '_a1', expiresAt: later(7) })),
  );
  t.deepEqual(first.filter(Boolean), [true]);
  t.true(await seen.record({ provider: 'globex', assertionId: '_a1', expiresAt: later(7) }));
  t.is(await seen.purgeExpired(later(7)), 2);
  t.true(await seen.record({ provider: 'acme', assertionId: '_a1', expiresAt: later(14) }));
});
