import test from 'ava';
import { webhookEventOf } from '../../src/policies/webhook-events.js';

const user = (action: string, changes?: Record<string, [unknown, unknown]>) => ({
  action,
  targetType: 'user',
  changes,
});

const TABLE = [
  [user('user.created'), 'user.created'],
  [user('user.registered'), 'user.created'],
  [user('user.imported_created', { status: [null, 'import'] }), 'user.created'],
  [user('user.imported_updated', { familyName: ['A', 'B'] }), 'user.updated'],
  [user('user.imported_updated', { status: ['active', 'inactive'] }), 'user.deactivated'],
  [user('user.updated', { givenName: ['A', 'B'] }), 'user.updated'],
  [user('user.profile_updated'), 'user.updated'],
  [user('user.roles_changed'), 'user.updated'],
  [user('user.status_changed', { status: ['active', 'inactive'] }), 'user.deactivated'],
  [user('user.status_changed', { status: ['active', 'locked'] }), 'user.deactivated'],
  [user('user.updated', { status: ['active', 'inactive'] }), 'user.deactivated'],
  [user('user.bulk_updated', { status: ['new', 'inactive'] }), 'user.deactivated'],
  [user('user.expired', { status: ['temporary', 'inactive'] }), 'user.deactivated'],
  [user('user.status_changed', { status: ['inactive', 'active'] }), 'user.updated'],
  [user('user.updated', { active: [true, false] }), 'user.deactivated'],
  [user('user.updated', { active: [false, true] }), 'user.updated'],
  [user('user.status_changed', { status: ['active', 'deleted'] }), 'user.deleted'],
  [user('user.deleted'), 'user.deleted'],
  [user('user.removed'), 'user.deleted'],
  [user('user.anonymised'), 'user.anonymised'],
  [user('user.password_reset'), undefined],
  [user('user.sessions_revoked'), undefined],
  [user('signin.failed'), undefined],
  [{ action: 'user.created', targetType: 'client', changes: undefined }, undefined],
] as const;

for (const [event, expected] of TABLE)
  test(`${event.action} ${JSON.stringify(event.changes ?? {})} on ${event.targetType} → ${expected ?? 'none'}`, (t) => {
    t.is(webhookEventOf(event), expected);
  });
