import type { Executor, Transact } from '../db/database.js';
import type { ContactValue, PostalAddress, Role, Status, User } from '../domain/user.js';
import { AppError, assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { mayDo, mayGrant } from '../policies/permissions.js';
import { maySignIn, SIGN_IN_STATUSES } from '../policies/status.js';
import { assertSuperAdminRemains } from './last-super-admin.js';
import type { LicencesRepository } from '../repositories/licences.js';
import type { UserRelationsRepository } from '../repositories/user-relations.js';
import type { UserCursor, UserFilter, UserSearch, UserSort } from '../repositories/user-search.js';
import type { UserChanges, UsersRepository } from '../repositories/users.js';
import type { Operator } from '../domain/operator.js';
import { isActor } from './admin-auth.js';
import type { AuditService } from './audit.js';
import type { CreateUserInput, IdentityService } from './identity.js';
import type { PasswordResetService } from './password-reset.js';
import type { UserReachService } from './user-reach.js';
import { defined } from '../util/defined.js';
import type { Clock } from '../util/clock.js';
import { evaluateExpiry } from '../policies/expiry.js';
import type { InvitationsService } from './invitations.js';
import { assertNotSelf, selfChangeOf } from './self-change.js';
import type { AuditEventsRepository, StoredAuditEvent } from '../repositories/audit-events.js';
import type { PhonesAndAddresses, UserContactsRepository } from '../repositories/user-contacts.js';
import type { UserRecordService } from './user-record.js';

/** Phones and addresses given on a write: each list given replaces the user's. */
export type ContactChanges = { phoneNumbers?: ContactValue[]; addresses?: PostalAddress[] };

export interface BulkSet {
  status?: Status;
  mainRole?: Role;
  mainAccountId?: string;
  tags?: string[];
}

/** The changed fields as [old, new] (the audit's `changes`). */
function diff<T extends object>(before: T, after: T, fields: readonly (keyof T)[]): Record<string, [unknown, unknown]> {
  return Object.fromEntries(
    fields.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f])).map((f) => [f, [before[f], after[f]]]),
  );
}

/**
 * What administrators do to users through the admin API: every change checks the
 * operator's reach (scope and rank), runs in one transaction with its audit
 * event, and ends the sessions of users who may no longer sign in.
 */
export function createUserAdminService(deps: {
  transact: Transact;
  users: UsersRepository;
  search: UserSearch;
  relations: UserRelationsRepository;
  licences: Pick<LicencesRepository, 'ofUser'>;
  identity: IdentityService;
  resets: PasswordResetService;
  audit: AuditService;
  reach: UserReachService;
  invitations: Pick<InvitationsService, 'invite'>;
  clock: Clock;
  duplicateEmails: () => boolean;
  record: UserRecordService;
  contacts: UserContactsRepository;
  events: Pick<AuditEventsRepository, 'page'>;
}) {
  const { users, audit, reach, transact, record } = deps;

  /** The newest `signin.succeeded` or `signin.failed` event of the user. */
  const lastEvent = async (userId: string, action: string): Promise<StoredAuditEvent | null> =>
    (await deps.events.page({ filter: { targetId: userId, action }, limit: 1 })).events[0] ?? null;

  return {
    /** A page of users, each with their phones and addresses, main account's name, groups and role assignments. */
    async list(input: { filter: UserFilter; sort: UserSort; limit: number; cursor?: UserCursor }, by: Operator) {
      const filter = await record.resolveFilter(input.filter);
      const page = await deps.search.page({ ...input, filter, scope: by.powers.scope });
      const ids = page.users.map((u) => u.id);
      const [contacts, related] = await Promise.all([deps.contacts.of(ids), deps.search.related(ids)]);
      return { ...page, contacts, related };
    },

    /** The user with their phones and addresses, role assignments, employments, groups, licences and last sign-ins. */
    async get(id: string, by: Operator) {
      const user = await reach(id, by, { change: false, includeDeleted: true });
      const [roles, employments, groups, licences, contacts, lastSignIn, lastFailedSignIn] = await Promise.all([
        users.roleAssignments(id),
        deps.relations.employments(id),
        deps.relations.groups(id),
        deps.licences.ofUser(id),
        deps.contacts.of([id]),
        lastEvent(id, 'signin.succeeded'),
        lastEvent(id, 'signin.failed'),
      ]);
      return { user, contacts: contacts.get(id), roles, employments, groups, licences, lastSignIn, lastFailedSignIn };
    },

    /**
     * Creates a user whose record passes the rules (required fields, language, time zone,
     * custom fields); with `invite`, then mails them an invitation (with the personal
     * `message`, if any). The user stays created if the mail cannot go.
     */
    async create(
      input: CreateUserInput & ContactChanges,
      by: Operator,
      options: { invite?: { message?: string } } = {},
    ): Promise<{ user: User; contacts: PhonesAndAddresses }> {
      assertThat(mayGrant(by.powers, input.role), fail('admin_api.forbidden_role', { role: input.role }));
      if (options.invite) assertThat(input.email, fail('user.no_email', { toSend: 'invitation' }));
      const canonical = record.canonical(input);
      await record.assertValid(canonical);
      const user = await deps.identity.create(canonical, by.actor, by.ip);
      if (options.invite) await deps.invitations.invite(user.id, undefined, by, options.invite);
      return { user, contacts: { phoneNumbers: input.phoneNumbers ?? [], addresses: input.addresses ?? [] } };
    },

    /**
     * Changes profile fields, phones and addresses (or the changes `edit` makes of the
     * user as locked); `expectedVersion` (If-Match) must be the current version.
     */
    async update(
      id: string,
      edit: (UserChanges & ContactChanges) | ((before: User) => UserChanges & ContactChanges),
      expectedVersion: number | undefined,
      by: Operator,
    ): Promise<{ user: User; contacts: PhonesAndAddresses }> {
      return transact(async (trx) => {
        const before = await reach(id, by, { change: true, lock: true }, trx);
        const given = typeof edit === 'function' ? edit(before) : edit;
        assertThat(expectedVersion === undefined || expectedVersion === before.version, () =>
          fail('user.version_mismatch', { version: before.version }),
        );
        const { phoneNumbers, addresses, ...rest } = given;
        const changes = record.canonical(rest);
        const contactsBefore = defined((await deps.contacts.of([id], trx)).get(id), 'the contacts');
        const contactsAfter = {
          phoneNumbers: phoneNumbers ?? contactsBefore.phoneNumbers,
          addresses: addresses ?? contactsBefore.addresses,
        };
        const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
        await record.assertValid({ ...before, ...set, ...contactsAfter }, trx);
        const differs = (a: string | null | undefined, b: string | null) =>
          a !== undefined && (a ?? '').toLowerCase() !== (b ?? '').toLowerCase();
        const newEmail = differs(changes.email, before.email);
        const newUserCode = differs(changes.userCode, before.userCode);
        assertThat(
          mayDo(by.powers, 'users.identifiers') || (!newEmail && !newUserCode),
          fail('admin_api.forbidden', { identifiers: true }),
        );
        // An expiry ends the account: a status change, which is hr's, and never one's own.
        const time = (d: Date | null | undefined) => (d ? new Date(d).getTime() : null);
        if (changes.expiresAt !== undefined && time(changes.expiresAt) !== time(before.expiresAt)) {
          assertThat(
            mayDo(by.powers, 'users.status'),
            fail('admin_api.forbidden', { role: by.powers.role, permission: 'users.status' }),
          );
          assertNotSelf(id, by, 'expire');
        }
        if (changes.email && newEmail && !deps.duplicateEmails()) {
          assertThat(!(await users.isTaken('email', changes.email, trx)), fail('user.email_taken'));
        }
        if (changes.userCode && newUserCode) {
          assertThat(!(await users.isTaken('user_code', changes.userCode, trx)), fail('user.user_code_taken'));
        }
        if (changes.directManagerId) {
          // A manager names themself or someone they reach: a user out of reach is as unknown as a missing one.
          const manager = changes.directManagerId;
          const known =
            manager !== id &&
            (await users.findById(manager, trx)) &&
            (isActor(manager, by) || (await deps.search.inScope(manager, by.powers.scope, trx)));
          assertThat(known, fail('user.invalid_manager'));
        }
        const after = defined(await users.update(id, changes, trx), 'the user');
        if (after.email !== before.email) await users.syncPrimaryEmails([after], trx);
        await deps.contacts.replace([{ userId: id, phoneNumbers, addresses }], trx);
        await audit.by(by).record(
          {
            action: 'user.updated',
            targetType: 'user',
            targetId: id,
            changes: {
              ...diff(before, after, Object.keys(changes) as (keyof User)[]),
              ...diff(contactsBefore, contactsAfter, ['phoneNumbers', 'addresses']),
            },
          },
          trx,
        );
        return { user: after, contacts: contactsAfter };
      });
    },

    async own(userId: string): Promise<User> {
      const user = await users.findById(userId);
      assertThat(user, () => fail('user.not_found'));
      return user;
    },

    /** A person changes their own profile (any role). */
    async updateOwnProfile(userId: string, changes: UserChanges, by: Operator): Promise<User> {
      return transact(async (trx) => {
        const before = await users.lock(userId, trx);
        assertThat(before, () => fail('user.not_found'));
        changes = record.canonical(changes);
        const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
        // A person's own record passes the language and time zone rules; what they cannot change is not asked of them.
        await record.assertValid({ ...before, ...given }, trx, { requiredFields: [], customFields: [] });
        const after = defined(await users.update(userId, changes, trx), 'the user');
        if (after.email !== before.email) await users.syncPrimaryEmails([after], trx);
        await audit.by(by).record(
          {
            action: 'user.profile_updated',
            targetType: 'user',
            targetId: userId,
            changes: diff(before, after, Object.keys(changes) as (keyof User)[]),
          },
          trx,
        );
        return after;
      });
    },

    /** Sets the status (deactivate, reactivate…); a status that may not sign in ends every session. */
    async setStatus(id: string, status: Status, by: Operator): Promise<User> {
      assertNotSelf(id, by, selfChangeOf(status));
      const user = await transact(async (trx) => {
        const before = await reach(id, by, { change: true, lock: true }, trx);
        assertNotExpired({ ...before, status });
        const after = await deps.identity.writeStatus(id, status, by.actor, by.ip, trx);
        if (!maySignIn(status)) await superAdminLeftBesides(id, trx);
        return after;
      });
      if (!maySignIn(status)) await deps.identity.endSessions(id);
      return user;
    },

    /**
     * The first delete sets the status `deleted` (sessions end); deleting a deleted
     * user removes it for good, leaving a tombstone in the audit (`firstOnly`: it is
     * refused instead, 409 `user.already_deleted`).
     */
    async remove(
      id: string,
      by: Operator,
      options: { firstOnly?: boolean } = {},
    ): Promise<{ removed: boolean; user?: User }> {
      assertNotSelf(id, by, 'delete');
      const result = await transact(async (trx) => {
        const user = await reach(id, by, { change: true, lock: true, includeDeleted: true }, trx);
        assertThat(!options.firstOnly || user.status !== 'deleted', fail('user.already_deleted'));
        if (user.status !== 'deleted') {
          const deleted = await deps.identity.writeStatus(id, 'deleted', by.actor, by.ip, trx);
          await superAdminLeftBesides(id, trx);
          return { removed: false, user: deleted };
        }
        assertThat(await users.remove(id, trx), () => fail('user.not_found'));
        await audit
          .by(by)
          .record(
            { action: 'user.removed', targetType: 'user', targetId: id, details: { userCode: user.userCode } },
            trx,
          );
        return { removed: true };
      });
      if (!result.removed) await deps.identity.endSessions(id);
      return result;
    },

    async setPassword(id: string, password: string, by: Operator): Promise<void> {
      await reach(id, by, { change: true });
      await deps.identity.setPassword(id, password, by.actor, { reset: true, ip: by.ip });
    },

    /** Mails the user a single-use link to choose a password. */
    async sendPasswordLink(id: string, by: Operator): Promise<void> {
      await deps.resets.send(await reach(id, by, { change: true }), by.actor, by.ip);
    },

    /** Sets the same fields on every user given, in one transaction: all or none. */
    async bulk(ids: string[], set: BulkSet, by: Operator): Promise<{ updated: number }> {
      if (set.mainRole)
        assertThat(mayGrant(by.powers, set.mainRole), fail('admin_api.forbidden_role', { role: set.mainRole }));
      const changed = await transact(async (trx) => {
        const mayDemote = Boolean(set.mainRole || (set.status && !maySignIn(set.status)));
        const superAdmins = mayDemote ? await deps.relations.lockedSuperAdminCount(SIGN_IN_STATUSES, trx) : 0;
        const done: User[] = [];
        for (const id of new Set(ids)) {
          if (set.status) assertNotSelf(id, by, selfChangeOf(set.status));
          const before = await reach(id, by, { change: true, lock: true }, trx).catch((err) => {
            throw err instanceof AppError && err.status === 404 ? fail('user.not_found', { id }) : err;
          });
          await applyBulk(before, set, trx);
          const after = defined(await users.findById(id, trx), 'the user');
          await audit.by(by).record(
            {
              action: 'user.bulk_updated',
              targetType: 'user',
              targetId: id,
              changes: diff(before, after, ['status', 'mainRole', 'mainAccountId', 'tags']),
            },
            trx,
          );
          done.push(after);
        }
        if (superAdmins > 0) await assertSuperAdminRemains(deps.relations, trx);
        return done;
      });
      for (const user of changed) if (!maySignIn(user.status)) await deps.identity.endSessions(user.id);
      return { updated: changed.length };
    },
  };

  /** A user whose account has ended may not be given a status that signs in again (nor `pending`): 409. */
  function assertNotExpired(user: Pick<User, 'status' | 'expiresAt'>) {
    assertThat(evaluateExpiry(user, deps.clock.now()) !== 'expired', () =>
      fail('user.expired', { expiresAt: new Date(user.expiresAt ?? 0).toISOString() }),
    );
  }

  /** After `userId` may no longer sign in: if they hold super_admin, someone else who may must. */
  async function superAdminLeftBesides(userId: string, trx: Executor) {
    const held = (await users.roleAssignments(userId, trx)).some(
      (a) => a.role === 'super_admin' && !a.accountId && !a.accountGroupId,
    );
    if (held) await assertSuperAdminRemains(deps.relations, trx);
  }

  async function applyBulk(user: User, set: BulkSet, trx: Executor) {
    if (set.status && set.status !== user.status) await users.setStatus(user.id, set.status, trx);
    if (set.mainRole && set.mainRole !== user.mainRole)
      await users.changeMainRole(user.id, user.mainRole, set.mainRole, trx);
    if (set.mainAccountId && set.mainAccountId !== user.mainAccountId) {
      assertThat(await users.accountExists(set.mainAccountId, trx), fail('account.not_found'));
      await users.setMainAccount(user.id, set.mainAccountId, trx);
    }
    if (set.tags) await users.update(user.id, { tags: set.tags }, trx);
  }
}
export type UserAdminService = ReturnType<typeof createUserAdminService>;
