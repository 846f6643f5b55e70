import test from 'ava';
import { STATUSES } from '../../src/domain/user.js';
import { EXPIRING_STATUSES, evaluateExpiry, isPastExpiry } from '../../src/policies/expiry.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const later = new Date(NOW.getTime() + 1);
const earlier = new Date(NOW.getTime() - 1);

test('an end comes at its instant, not before; null never comes', (t) => {
  t.true(isPastExpiry(NOW, NOW));
  t.true(isPastExpiry(earlier, NOW));
  t.true(isPastExpiry(earlier.toISOString(), NOW), 'as text too');
  t.false(isPastExpiry(later, NOW));
  t.false(isPastExpiry(null, NOW));
});

test('every status but inactive and deleted is ended by an expiry', (t) => {
  t.deepEqual(
    STATUSES.filter((s) => !EXPIRING_STATUSES.includes(s)),
    ['inactive', 'deleted'],
  );
  for (const status of STATUSES) {
    const ends = status !== 'inactive' && status !== 'deleted';
    t.is(evaluateExpiry({ status, expiresAt: earlier }, NOW), ends ? 'expired' : 'current', status);
    t.is(evaluateExpiry({ status, expiresAt: later }, NOW), 'current', status);
    t.is(evaluateExpiry({ status, expiresAt: null }, NOW), 'current', status);
  }
});
