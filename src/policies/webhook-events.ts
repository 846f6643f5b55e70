import { isStatus } from '../domain/user.js';
import { maySignIn } from './status.js';

/** The user lifecycle events a webhook endpoint may ask for. */
export const WEBHOOK_EVENTS = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.deleted',
  'user.anonymised',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export function isWebhookEvent(value: unknown): value is WebhookEvent {
  return typeof value === 'string' && (WEBHOOK_EVENTS as readonly string[]).includes(value);
}

/** Audit actions that create a user, remove one for good, or change what is known of one. */
const CREATED = new Set(['user.created', 'user.registered', 'user.imported_created']);
const DELETED = new Set(['user.deleted', 'user.removed']);
const UPDATED = new Set([
  'user.updated',
  'user.imported_updated',
  'user.profile_updated',
  'user.roles_changed',
  'user.groups_changed',
  'user.employments_changed',
  'user.managed_accounts_changed',
  'user.licence_assigned',
  'user.licence_removed',
  'user.restored',
  'user.approved',
  'user.email_confirmed',
  'user.email_changed',
  'user.status_changed',
  'user.bulk_updated',
  'user.expired',
]);

/**
 * The webhook event an audited change of a user is, if any. A change whose
 * status becomes `deleted` is `user.deleted`; one whose status becomes another
 * that may not sign in (inactive, locked, pending), or whose SCIM `active` becomes
 * false, is `user.deactivated`; other changes of the record are `user.updated`.
 * Sign-ins, passwords, sessions and MFA are not lifecycle events.
 */
export function webhookEventOf(event: {
  action: string;
  targetType?: string | null;
  changes?: Record<string, [unknown, unknown]> | null;
}): WebhookEvent | undefined {
  if (event.targetType !== 'user') return undefined;
  if (event.action === 'user.anonymised') return 'user.anonymised';
  if (CREATED.has(event.action)) return 'user.created';
  if (DELETED.has(event.action)) return 'user.deleted';
  if (!UPDATED.has(event.action)) return undefined;
  const status = event.changes?.status?.[1];
  if (status === 'deleted') return 'user.deleted';
  if (isStatus(status) && !maySignIn(status)) return 'user.deactivated';
  // SCIM audits its own attributes: `active` turned false.
  const active = event.changes?.active;
  if (active?.[0] === true && active[1] === false) return 'user.deactivated';
  return 'user.updated';
}
