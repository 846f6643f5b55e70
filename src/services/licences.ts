import type { Executor, Transact } from '../db/database.js';
import type { Actor } from '../domain/actor.js';
import type { LicenceType, UserLicence } from '../domain/licence.js';
import type { Operator } from '../domain/operator.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { LicencesRepository } from '../repositories/licences.js';
import type { AuditService } from './audit.js';
import type { UserReachService } from './user-reach.js';
import { uniqueNameConflict } from './unique-names.js';

export interface LicenceTypeInput {
  key: string;
  name: string;
  seats?: number | null;
  requiredToSignIn?: boolean;
}

export interface LicenceTypeChanges {
  name?: string;
  seats?: number | null;
  requiredToSignIn?: boolean;
}

/** Who changes licences: an operator of the admin API, or the CLI (no scope: everyone). */
type By = Operator | { actor: Actor; ip: string | null };

const notFound = (key: string) => fail('licence.not_found', { key });
const keyTaken = () => fail('licence.key_taken');

/**
 * Licence types and the licences users hold (README "Licences"). Assigning counts
 * the type's seats under a lock of its row: of two concurrent assignments of the
 * last seat one wins, the other is `licence.no_seats` (409). A user who loses the
 * last licence that let them sign in (a type `requiredToSignIn`) loses their
 * sessions and tokens too. Every change is audited in its transaction.
 *
 * `assign` and `remove` take an optional transaction (a bulk action's): then the
 * caller ends the sessions of the users `remove` reports `signedOut` once it has
 * committed (`endSessions`).
 * A person never leaves themself without a licence to sign in (`licence.self_lockout`).
 * Errors: `licence.not_found` 404, `licence.key_taken` / `licence.no_seats` /
 * `licence.seats_below_used` / `licence.self_lockout` 409, and the reach errors of the user.
 */
export function createLicencesService(deps: {
  transact: Transact;
  licences: LicencesRepository;
  audit: AuditService;
  reach: UserReachService;
  endSessions: (userId: string) => Promise<unknown>;
}) {
  const { licences, audit, transact } = deps;
  const inTransaction = <T>(trx: Executor | undefined, fn: (trx: Executor) => Promise<T>) =>
    trx ? fn(trx) : transact(fn);
  const endAll = async (userIds: readonly string[]) => {
    for (const id of userIds) await deps.endSessions(id);
  };
  /** The user, when the change comes from an operator: in their reach and not above them. */
  const reachUser = async (userId: string, by: By, trx: Executor, lock: boolean) => {
    if ('powers' in by) await deps.reach(userId, by, { change: true, lock }, trx);
  };

  /** Nobody locks themself out: a change that leaves the person making it without a licence to sign in is refused. */
  /** Ids compare in any letter case: the path's id may be upper case. */
  const isCaller = (userId: string, by: By) => userId.toLowerCase() === by.actor.id?.toLowerCase();

  async function assertNotSelfLockout(by: By, trx: Executor) {
    const { actor } = by;
    if (actor.type === 'user' && actor.id && !actor.onBehalfOf)
      assertThat(await licences.isLicensed(actor.id, trx), () => fail('licence.self_lockout'));
  }

  async function lockType(key: string, trx: Executor) {
    const type = await licences.lockByKey(key, trx);
    assertThat(type, () => notFound(key));
    return type;
  }

  const service = {
    listTypes: () => licences.list(),

    async getType(key: string): Promise<LicenceType> {
      const type = await licences.findByKey(key);
      assertThat(type, () => notFound(key));
      return type;
    },

    async createType(input: LicenceTypeInput, by: By): Promise<LicenceType> {
      return transact(async (trx) => {
        assertThat(!(await licences.findByKey(input.key, trx)), keyTaken);
        const made = await licences.create(
          {
            key: input.key,
            name: input.name,
            seats: input.seats ?? null,
            requiredToSignIn: input.requiredToSignIn ?? false,
          },
          trx,
        );
        await audit.by(by).record(
          {
            action: 'licence.created',
            targetType: 'licence',
            targetId: made.key,
            changes: {
              name: [null, made.name],
              seats: [null, made.seats],
              requiredToSignIn: [null, made.requiredToSignIn],
            },
          },
          trx,
        );
        if (made.requiredToSignIn) await assertNotSelfLockout(by, trx);
        return made;
      }).catch(uniqueNameConflict('licence_types_key', keyTaken));
    },

    /**
     * Renames the type, changes its seats (never below those used) or whether it
     * is required to sign in. Users it leaves without a licence to sign in lose
     * their sessions and tokens.
     */
    async updateType(key: string, changes: LicenceTypeChanges, by: By): Promise<LicenceType> {
      const after = await transact(async (trx) => {
        const before = await lockType(key, trx);
        const next = {
          name: changes.name ?? before.name,
          seats: changes.seats === undefined ? before.seats : changes.seats,
          requiredToSignIn: changes.requiredToSignIn ?? before.requiredToSignIn,
        };
        if (next.seats !== null && next.seats !== before.seats) {
          const used = (await licences.seatsUsed([before.id], trx)).get(before.id) ?? 0;
          assertThat(used <= next.seats, () => fail('licence.seats_below_used', { key, seatsUsed: used }));
        }
        const diff: Record<string, [unknown, unknown]> = {};
        for (const field of ['name', 'seats', 'requiredToSignIn'] as const)
          if (before[field] !== next[field]) diff[field] = [before[field], next[field]];
        if (!Object.keys(diff).length) return undefined;
        await licences.update(before.id, next, trx);
        if (next.requiredToSignIn) await assertNotSelfLockout(by, trx);
        await audit
          .by(by)
          .record({ action: 'licence.updated', targetType: 'licence', targetId: key, changes: diff }, trx);
        return diff;
      });
      if (after?.requiredToSignIn) await endAll(await licences.signedInWithoutLicence('all'));
      return service.getType(key);
    },

    /** Deletes the type and every licence of it; its holders left without a licence to sign in are signed out. */
    async deleteType(key: string, by: By): Promise<void> {
      const holders = await transact(async (trx) => {
        const type = await lockType(key, trx);
        const held = await licences.remove(type.id, trx);
        if (type.requiredToSignIn) await assertNotSelfLockout(by, trx);
        await audit.by(by).record(
          {
            action: 'licence.deleted',
            targetType: 'licence',
            targetId: key,
            changes: { name: [type.name, null] },
            details: { holders: held.length },
          },
          trx,
        );
        return held;
      });
      await endAll(await licences.signedInWithoutLicence(holders));
    },

    /** The user's licences (404 out of the operator's reach). */
    async ofUser(userId: string, by: Operator): Promise<UserLicence[]> {
      await deps.reach(userId, by, { change: false });
      return licences.ofUser(userId);
    },

    /**
     * Gives the user a licence of the type `key`; `assigned` is false when they
     * held it already. With `trx`, runs in the caller's transaction.
     */
    async assign(userId: string, key: string, by: By, trx?: Executor): Promise<{ assigned: boolean }> {
      return inTransaction(trx, async (t) => {
        // The user is read, not locked, before the type's lock: assignments of one type queue on the type alone.
        await reachUser(userId, by, t, false);
        const type = await lockType(key, t);
        if (await licences.holds(userId, type.id, t)) return { assigned: false };
        if (type.seats !== null) {
          const used = (await licences.seatsUsed([type.id], t)).get(type.id) ?? 0;
          assertThat(used < type.seats, () => fail('licence.no_seats', { key, seats: type.seats ?? 0 }));
        }
        await licences.add(userId, type.id, t);
        await audit
          .by(by)
          .record(
            { action: 'user.licence_assigned', targetType: 'user', targetId: userId, details: { licence: key } },
            t,
          );
        return { assigned: true };
      });
    },

    /**
     * Takes the licence `key` away; `removed` is false when they did not hold it.
     * `signedOut`: it was the user's last licence to sign in, so their sessions and
     * tokens end (at once, or, with `trx`, by the caller after its commit).
     */
    async remove(
      userId: string,
      key: string,
      by: By,
      trx?: Executor,
    ): Promise<{ removed: boolean; signedOut: boolean }> {
      const outcome = await inTransaction(trx, async (t) => {
        await reachUser(userId, by, t, true);
        const type = await lockType(key, t);
        if (!(await licences.delete(userId, type.id, t))) return { removed: false, signedOut: false };
        if (type.requiredToSignIn && isCaller(userId, by)) await assertNotSelfLockout(by, t);
        await audit
          .by(by)
          .record(
            { action: 'user.licence_removed', targetType: 'user', targetId: userId, details: { licence: key } },
            t,
          );
        return { removed: true, signedOut: type.requiredToSignIn && !(await licences.isLicensed(userId, t)) };
      });
      if (!trx && outcome.signedOut) await deps.endSessions(userId);
      return outcome;
    },

    /**
     * `assign` for many users at once (a bulk action), set-based: each user gets
     * `assigned`, `held` (already) or `no_seats` (the free seats go to the users in
     * the order given). The caller has checked that the operator may change each
     * user (scope and rank); with `trx`, runs in the caller's transaction.
     */
    async assignMany(
      userIds: readonly string[],
      key: string,
      by: By,
      trx?: Executor,
    ): Promise<Map<string, 'assigned' | 'held' | 'no_seats'>> {
      const ids = [...new Set(userIds)];
      return inTransaction(trx, async (t) => {
        const type = await lockType(key, t);
        const held = await licences.holdersAmong(ids, type.id, t);
        const fresh = ids.filter((id) => !held.has(id));
        const used = type.seats === null ? 0 : ((await licences.seatsUsed([type.id], t)).get(type.id) ?? 0);
        const free = type.seats === null ? fresh.length : Math.max(0, type.seats - used);
        const added = new Set(await licences.changeMany('add', fresh.slice(0, free), type, by, t));
        return new Map(ids.map((id) => [id, held.has(id) ? 'held' : added.has(id) ? 'assigned' : 'no_seats']));
      });
    },

    /**
     * `remove` for many users at once (a bulk action), set-based: `removed` lists who
     * held it, `signedOut` who it left without a licence to sign in (their sessions
     * end at once, or, with `trx`, by the caller after its commit). The caller has
     * checked that the operator may change each user; the operator is not among them
     * when it would lock them out.
     */
    async removeMany(
      userIds: readonly string[],
      key: string,
      by: By,
      trx?: Executor,
    ): Promise<{ removed: string[]; signedOut: string[] }> {
      const outcome = await inTransaction(trx, async (t) => {
        const type = await lockType(key, t);
        const removed = await licences.changeMany('remove', [...new Set(userIds)], type, by, t);
        if (!type.requiredToSignIn) return { removed, signedOut: [] };
        if (removed.some((id) => isCaller(id, by))) await assertNotSelfLockout(by, t);
        return { removed, signedOut: await licences.signedInWithoutLicence(removed, t) };
      });
      if (!trx) await endAll(outcome.signedOut);
      return outcome;
    },

    endSessions: deps.endSessions,
  };
  return service;
}
export type LicencesService = ReturnType<typeof createLicencesService>;
