import { randomUUID } from 'node:crypto';
import type { ActingAdmin, Impersonation, ImpersonationEndReason } from '../domain/impersonation.js';
import type { Role, User } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { evaluateImpersonation, type ImpersonationRefusal } from '../policies/impersonation.js';
import type { ImpersonationsRepository } from '../repositories/impersonations.js';
import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import { hashToken, randomToken } from '../util/crypto.js';
import type { Clock } from '../util/clock.js';
import type { AuditEvent, AuditService } from './audit.js';
import type { Executor, Transact } from '../db/database.js';
import { defined } from '../util/defined.js';

export interface ImpersonationDeps {
  transact: Transact;
  impersonations: ImpersonationsRepository;
  payloads: OidcPayloadsRepository;
  audit: AuditService;
  clock: Clock;
  issuer: string;
  /** IMPERSONATION_TTL, in seconds. */
  ttlSeconds: () => number;
  mfaRequiredRoles: () => readonly Role[];
}

/** Who asks to impersonate, as their access token or session shows them. */
export interface Requester {
  userId: string;
  /** How they signed in (`amr`). */
  amr: readonly string[] | undefined;
  /** Their token already acts for someone (it has `act`). */
  chained: boolean;
}

/** A target who may be impersonated, as token issuance needs them. */
export interface TargetFacts {
  user: User;
  roleNames: string[];
}

/** An interactive impersonation link is good for this long, once. */
export const TICKET_TTL_SECONDS = 120;

/**
 * Admins acting as users (SPEC "Impersonation"): the rules applied to fresh
 * facts, the records, the audit trail, and revocation of what an impersonation made.
 */
export function createImpersonationService(deps: ImpersonationDeps) {
  const { impersonations, clock, audit } = deps;
  const later = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000);
  const { transact } = deps;
  type Subject = Pick<Impersonation, 'id' | 'kind' | 'actorId' | 'targetId' | 'clientId'>;
  const event = (action: string, i: Subject, ip: string | null, details: Record<string, unknown> = {}): AuditEvent => ({
    actor: { type: 'user', id: i.actorId },
    action,
    targetType: 'user',
    targetId: i.targetId,
    ip,
    details: { impersonationId: i.id, kind: i.kind, clientId: i.clientId, ...details },
  });
  const record = (
    action: string,
    i: Subject,
    ip: string | null,
    details: Record<string, unknown> = {},
    trx?: Executor,
  ) => audit.record(event(action, i, ip, details), trx);

  /** The rules applied to the parties as they are now: the refusal (if any), and the target's facts. */
  async function evaluate(
    requester: Requester,
    targetId: string,
  ): Promise<{ refused: ImpersonationRefusal | undefined; facts: TargetFacts | undefined }> {
    const { actor, target } = await impersonations.parties(requester.userId, targetId);
    const facts = target && { user: target.user, roleNames: [...new Set(target.assignments.map((a) => a.role))] };
    const refused = actor
      ? evaluateImpersonation(
          {
            id: actor.user.id,
            status: actor.user.status,
            mainRole: actor.user.mainRole,
            assignments: actor.assignments,
            amr: requester.amr,
            chained: requester.chained,
          },
          facts && {
            id: facts.user.id,
            status: facts.user.status,
            mainRole: facts.user.mainRole,
            roleNames: facts.roleNames,
          },
          { mfaRequiredRoles: deps.mfaRequiredRoles() },
        )
      : 'impersonation.not_allowed';
    return { refused, facts };
  }

  /** The target's facts when the requester may act as them; otherwise throws `impersonation.*`. */
  async function authorize(requester: Requester, targetId: string): Promise<TargetFacts> {
    const { refused, facts } = await evaluate(requester, targetId);
    if (refused) throw fail(refused);
    return defined(facts, 'the target of an allowed impersonation');
  }

  /** After impersonations ended (in `trx`): revokes the exchanged tokens' grants and audits each. */
  async function ended(list: Impersonation[], ip: string | null, trx: Executor): Promise<void> {
    await deps.payloads.revokeGrants(
      list.flatMap((i) => (i.grantId ? [i.grantId] : [])),
      trx,
    );
    for (const i of list) await record('impersonation.stopped', i, ip, { reason: i.endedReason }, trx);
  }

  return {
    authorize,

    /**
     * Whether the requester may act as the target now, without starting anything: the
     * refusal POST /impersonation would give (none: allowed). An unknown target is
     * thrown as there (404), once the actor's own refusals are checked.
     */
    async refusal(requester: Requester, targetId: string): Promise<ImpersonationRefusal | undefined> {
      const { refused } = await evaluate(requester, targetId);
      if (refused === 'impersonation.unknown_target') throw fail(refused);
      return refused;
    },

    /** When an exchange made now ends: after IMPERSONATION_TTL, or with the actor's token if sooner. */
    exchangeEnd(actorTokenExpiresAt: Date | undefined): Date {
      const end = later(deps.ttlSeconds());
      return actorTokenExpiresAt && actorTokenExpiresAt < end ? actorTokenExpiresAt : end;
    },

    /** Records a token exchange (the grant is made); returns what the token will say. */
    async recordExchange(input: {
      actorId: string;
      targetId: string;
      clientId: string;
      grantId: string;
      sessionUid: string | null;
      expiresAt: Date;
      scope: string;
      ip: string | null;
    }): Promise<ActingAdmin> {
      // The record and its audit row in one statement; the token is issued only after it.
      const id = randomUUID();
      const audited = event(
        'impersonation.token_exchanged',
        { id, kind: 'exchange', actorId: input.actorId, targetId: input.targetId, clientId: input.clientId },
        input.ip,
        { scope: input.scope },
      );
      const made = await impersonations.createExchange({ ...input, id, now: clock.now() }, audited);
      return { impersonationId: made.id, actorId: made.actorId, expiresAt: made.expiresAt };
    },

    /** A token issued while an admin acts as a user (interactive impersonation). */
    async tokenIssued(
      acting: ActingAdmin,
      input: { targetId: string; clientId: string; scope: string | undefined; ip: string | null },
    ): Promise<void> {
      const { impersonationId: id, actorId } = acting;
      await record(
        'impersonation.token_issued',
        { id, kind: 'interactive', actorId, targetId: input.targetId, clientId: input.clientId },
        input.ip,
        { scope: input.scope },
      );
    },

    /**
     * The impersonation a token (or an authorization on a session) belongs to:
     * undefined when none, 'ended' when it has ended or expired (then no token may be issued).
     */
    async forToken(input: {
      accountId: string;
      grantId?: string;
      sessionUid?: string;
    }): Promise<ActingAdmin | 'ended' | undefined> {
      const found = await impersonations.findForToken(input);
      if (!found) return undefined;
      if (found.endedAt || found.expiresAt <= clock.now()) return 'ended';
      return { impersonationId: found.id, actorId: found.actorId, expiresAt: found.expiresAt };
    },

    /** A single-use link that starts an interactive impersonation in the requester's own browser. */
    async createTicket(
      requester: Requester & { clientId: string | null },
      targetId: string,
      ip: string | null,
    ): Promise<{ url: string; expiresAt: Date; impersonationId: string }> {
      const target = await authorize(requester, targetId);
      const ticket = randomToken(32);
      const row = await transact(async (trx) => {
        const made = await impersonations.createTicket(
          {
            actorId: requester.userId,
            targetId: target.user.id,
            clientId: requester.clientId,
            ticketHash: hashToken(ticket),
            now: clock.now(),
            ticketExpiresAt: later(TICKET_TTL_SECONDS),
          },
          trx,
        );
        await record('impersonation.requested', made, ip, {}, trx);
        return made;
      });
      return {
        url: `${deps.issuer}/impersonation/start?ticket=${encodeURIComponent(ticket)}`,
        expiresAt: row.expiresAt,
        impersonationId: row.id,
      };
    },

    /**
     * Redeems a ticket for the Gatehouse session presenting it, which must be its
     * requester's own (signed in, not acting as anyone); the rules are applied again
     * to that session's sign-in. Throws `impersonation.*`.
     */
    async start(
      ticket: string,
      session: { uid: string; accountId: string | undefined; amr: readonly string[] | undefined },
      ip: string | null,
    ): Promise<Impersonation> {
      const hash = hashToken(ticket);
      const found = await impersonations.findTicket(hash, clock.now());
      assertThat(found, () => fail('impersonation.invalid_ticket'));
      assertThat(session.accountId, fail('impersonation.no_session'));
      assertThat(!(await impersonations.activeOnSession(session.uid)), fail('impersonation.already_active'));
      assertThat(session.accountId === found.actorId, fail('impersonation.wrong_session'));
      await authorize({ userId: found.actorId, amr: session.amr, chained: false }, found.targetId);
      return transact(async (trx) => {
        const started = await impersonations.redeemTicket(
          {
            ticketHash: hash,
            actorId: found.actorId,
            sessionUid: session.uid,
            now: clock.now(),
            expiresAt: later(deps.ttlSeconds()),
          },
          trx,
        );
        assertThat(started, () => fail('impersonation.invalid_ticket'));
        await record('impersonation.started', started, ip, { expiresAt: started.expiresAt.toISOString() }, trx);
        return started;
      });
    },

    /** An ended interactive impersonation that made this session act as `accountId`. */
    async endedOnSession(sessionUid: string, accountId: string): Promise<Impersonation | undefined> {
      const found = await impersonations.findForToken({ accountId, sessionUid });
      return found?.kind === 'interactive' && found.endedAt ? found : undefined;
    },

    /** The interactive impersonation running on a session, with the target's name. */
    activeOnSession: (sessionUid: string) => impersonations.activeOnSession(sessionUid),

    /**
     * Ends the interactive impersonation running on a session and revokes `grantIds`
     * (the grants the session made while acting). Returns it, for the caller to give
     * the session back to its admin; undefined when none was running.
     */
    async stop(
      sessionUid: string,
      reason: Extract<ImpersonationEndReason, 'stopped' | 'expired'>,
      grantIds: string[],
      ip: string | null,
    ): Promise<Impersonation | undefined> {
      const active = await impersonations.activeOnSession(sessionUid);
      if (!active) return undefined;
      return transact(async (trx) => {
        const stopped = await impersonations.end(active.id, reason, clock.now(), trx);
        if (!stopped) return undefined;
        await deps.payloads.revokeGrants(grantIds, trx);
        await ended([stopped], ip, trx);
        return stopped;
      });
    },

    /** A session ended (sign-out): what ran on it and what its tokens were exchanged for ends too. */
    async sessionEnded(sessionUid: string, ip: string | null): Promise<void> {
      await transact(async (trx) =>
        ended(await impersonations.endForSession(sessionUid, 'signed_out', clock.now(), trx), ip, trx),
      );
    },
  };
}
export type ImpersonationService = ReturnType<typeof createImpersonationService>;
