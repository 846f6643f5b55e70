import type { Operator } from '../domain/operator.js';
import type { Status } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { maySignIn } from '../policies/status.js';
import { isActor } from './admin-auth.js';

/** What nobody does to their own user through the API. */
export type SelfChange = 'deactivate' | 'lock' | 'delete' | 'expire';

/** The self-change a new status would be: locking, or any other status that may not sign in. */
export const selfChangeOf = (status: Status): SelfChange | undefined =>
  status === 'locked' ? 'lock' : status === 'deleted' ? 'delete' : maySignIn(status) ? undefined : 'deactivate';

/**
 * Nobody deactivates, locks, deletes or sets an expiry on themself (409 `user.self_change`):
 * neither the operator nor, during an impersonation, the admin acting (both are "self").
 * Bulk actions call it for every user they change.
 */
export function assertNotSelf(userId: string, by: Operator, change: SelfChange | undefined): void {
  if (change) assertThat(!isActor(userId, by), () => fail('user.self_change', { change }));
}
