import type { Db, Executor } from '../db/database.js';
import type { Impersonation, ImpersonationEndReason } from '../domain/impersonation.js';
import type { RoleAssignment, User } from '../domain/user.js';
import { AUDIT_COLUMNS, auditValues, type AuditEvent } from './audit-events.js';
import { displayNameSql, toUser, USER_COLUMNS, type UserRow } from './users.js';
import { isUuid } from '../util/uuid.js';

const COLUMNS = [
  'id',
  'kind',
  'actor_id',
  'target_id',
  'client_id',
  'grant_id',
  'session_uid',
  'created_at',
  'started_at',
  'expires_at',
  'ended_at',
  'ended_reason',
];

/** A row of `impersonations`. */
interface ImpersonationRow {
  id: string;
  kind: Impersonation['kind'];
  actor_id: string;
  target_id: string;
  client_id: string | null;
  grant_id: string | null;
  session_uid: string | null;
  created_at: Date | string;
  started_at: Date | null;
  expires_at: Date | string;
  ended_at: Date | null;
  ended_reason: string | null;
}

const toImpersonation = (r: ImpersonationRow): Impersonation => ({
  id: r.id,
  kind: r.kind,
  actorId: r.actor_id,
  targetId: r.target_id,
  clientId: r.client_id,
  grantId: r.grant_id,
  sessionUid: r.session_uid,
  createdAt: new Date(r.created_at),
  startedAt: r.started_at && new Date(r.started_at),
  expiresAt: new Date(r.expires_at),
  endedAt: r.ended_at && new Date(r.ended_at),
  endedReason: r.ended_reason,
});

// Run whenever a token or an authorization names a grant or a session: written once as SQL.
// A token belongs to an exchange by its grant; to an interactive impersonation by the
// admin's session (then the token's account is the target's).
const FOR_TOKEN = `SELECT ${COLUMNS.join(', ')} FROM impersonations
  WHERE target_id = CAST(? AS uuid) AND (grant_id = ? OR (kind = 'interactive' AND session_uid = ? AND started_at IS NOT NULL))
  ORDER BY started_at DESC LIMIT 1`;

// The exchange and its audit row in one statement: atomic, and one round trip on the
// hottest write of impersonation (a data-modifying WITH always runs to completion).
const INSERT_EXCHANGE = `WITH audit AS (INSERT INTO audit_events (${AUDIT_COLUMNS.join(', ')}) VALUES (${AUDIT_COLUMNS.map(() => '?').join(', ')}))
  INSERT INTO impersonations (id, kind, actor_id, target_id, client_id, grant_id, session_uid, created_at, started_at, expires_at)
  VALUES (?, 'exchange', ?, ?, ?, ?, ?, ?, ?, ?)`;

// Both people of an impersonation, with every role assignment, in one statement.
const PARTIES = `SELECT ${USER_COLUMNS.map((c) => `u.${c}`).join(', ')},
  (SELECT coalesce(json_agg(json_build_object('role', a.role, 'accountId', a.account_id, 'accountGroupId', a.account_group_id)), '[]')
     FROM role_assignments a WHERE a.user_id = u.id) AS assignments
  FROM users u WHERE u.id IN (CAST(? AS uuid), CAST(? AS uuid))`;

/** A user and their role assignments, in any scope. */
export interface Party {
  user: User;
  assignments: RoleAssignment[];
}

/**
 * Impersonation records (migration 20261127000001). A ticket is an interactive
 * row not started yet; its `expires_at` is the ticket's own expiry until it is
 * redeemed, then the impersonation's end.
 */
export function createImpersonationsRepository(db: Db) {
  const returning = (rows: ImpersonationRow[]) => rows.map(toImpersonation);
  return {
    /** The actor and the target as they are now; either is undefined when there is no such user. */
    async parties(actorId: string, targetId: string): Promise<{ actor?: Party; target?: Party }> {
      if (!isUuid(actorId)) return {};
      const { rows } = (await db.raw(PARTIES, [actorId, isUuid(targetId) ? targetId : null])) as {
        rows: (UserRow & { assignments: RoleAssignment[] })[];
      };
      const party = (id: string) => {
        const row = rows.find((r) => r.id === id);
        return row && { user: toUser(row), assignments: row.assignments };
      };
      return { actor: party(actorId), target: party(targetId) };
    },

    /** Records an exchange with its audit event (run on every token exchange: one precomputed statement). */
    async createExchange(
      input: {
        id: string;
        actorId: string;
        targetId: string;
        clientId: string;
        grantId: string;
        sessionUid: string | null;
        now: Date;
        expiresAt: Date;
      },
      audit: AuditEvent,
    ): Promise<Impersonation> {
      const { id, actorId, targetId, clientId, grantId, sessionUid, now, expiresAt } = input;
      await db.raw(INSERT_EXCHANGE, [
        ...auditValues(audit),
        id,
        actorId,
        targetId,
        clientId,
        grantId,
        sessionUid,
        now,
        now,
        expiresAt,
      ]);
      return {
        id,
        kind: 'exchange',
        actorId,
        targetId,
        clientId,
        grantId,
        sessionUid,
        createdAt: now,
        startedAt: now,
        expiresAt,
        endedAt: null,
        endedReason: null,
      };
    },

    async createTicket(
      input: {
        actorId: string;
        targetId: string;
        clientId: string | null;
        ticketHash: string;
        now: Date;
        ticketExpiresAt: Date;
      },
      trx: Executor = db,
    ): Promise<Impersonation> {
      const [row] = await trx('impersonations')
        .insert({
          kind: 'interactive',
          actor_id: input.actorId,
          target_id: input.targetId,
          client_id: input.clientId,
          ticket_hash: input.ticketHash,
          created_at: input.now,
          expires_at: input.ticketExpiresAt,
        })
        .returning(COLUMNS);
      return toImpersonation(row);
    },

    /** A ticket that may still be redeemed. */
    async findTicket(ticketHash: string, now: Date): Promise<Impersonation | undefined> {
      const row = await db('impersonations')
        .select(COLUMNS)
        .where({ ticket_hash: ticketHash, kind: 'interactive' })
        .whereNull('started_at')
        .whereNull('ended_at')
        .where('expires_at', '>', now)
        .first();
      return row && toImpersonation(row);
    },

    /** Starts the ticket's impersonation on `sessionUid`; only once, only for its actor, only before it expires. */
    async redeemTicket(
      input: { ticketHash: string; actorId: string; sessionUid: string; now: Date; expiresAt: Date },
      trx: Executor = db,
    ): Promise<Impersonation | undefined> {
      const [row] = await trx('impersonations')
        .where({ ticket_hash: input.ticketHash, kind: 'interactive', actor_id: input.actorId })
        .whereNull('started_at')
        .whereNull('ended_at')
        .where('expires_at', '>', input.now)
        .update({ session_uid: input.sessionUid, started_at: input.now, expires_at: input.expiresAt })
        .returning(COLUMNS);
      return row && toImpersonation(row);
    },

    /** The impersonation behind a token or an authorization, ended or not (the caller decides). */
    async findForToken(input: {
      accountId: string;
      grantId?: string;
      sessionUid?: string;
    }): Promise<Impersonation | undefined> {
      if (!isUuid(input.accountId)) return undefined;
      const { rows } = (await db.raw(FOR_TOKEN, [
        input.accountId,
        input.grantId ?? null,
        input.sessionUid ?? null,
      ])) as { rows: ImpersonationRow[] };
      return rows[0] ? toImpersonation(rows[0]) : undefined;
    },

    /** The interactive impersonation a session is in (possibly past its end), with the target's name. */
    async activeOnSession(sessionUid: string): Promise<(Impersonation & { targetName: string }) | undefined> {
      const row = await db('impersonations as i')
        .join('users as u', 'u.id', 'i.target_id')
        .select(COLUMNS.map((c) => `i.${c}`))
        .select(db.raw(`${displayNameSql('u')} AS target_name`))
        .where({ 'i.session_uid': sessionUid, 'i.kind': 'interactive' })
        .whereNotNull('i.started_at')
        .whereNull('i.ended_at')
        .orderBy('i.started_at', 'desc')
        .first();
      return row && { ...toImpersonation(row), targetName: row.target_name };
    },

    /** Ends one impersonation; returns it only to the caller that ended it. */
    async end(
      id: string,
      reason: ImpersonationEndReason,
      now: Date,
      trx: Executor = db,
    ): Promise<Impersonation | undefined> {
      const [row] = await trx('impersonations')
        .where({ id })
        .whereNull('ended_at')
        .update({ ended_at: now, ended_reason: reason })
        .returning(COLUMNS);
      return row && toImpersonation(row);
    },

    /**
     * Ends what a session did: the interactive impersonation running on it and the
     * exchanges made with its access tokens. Returns the rows it ended.
     */
    async endForSession(
      sessionUid: string,
      reason: ImpersonationEndReason,
      now: Date,
      trx: Executor = db,
    ): Promise<Impersonation[]> {
      return returning(
        await trx('impersonations')
          .where({ session_uid: sessionUid })
          .whereNull('ended_at')
          .update({ ended_at: now, ended_reason: reason })
          .returning(COLUMNS),
      );
    },
  };
}
export type ImpersonationsRepository = ReturnType<typeof createImpersonationsRepository>;
