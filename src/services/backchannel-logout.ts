import type { Logger } from 'pino';
import type { Executor, Transact } from '../db/database.js';
import { AppError } from '../errors/app-error.js';
import type { ClientsRepository } from '../repositories/clients.js';
import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import type { JobQueueService } from './job-queue.js';
import type { OutboundHttpService } from './outbound-http.js';

/** One client to tell that a user's session ended (OpenID Connect Back-Channel Logout 1.0). */
export interface LogoutNotice {
  clientId: string;
  /** The user (the `sub` of the client's ID tokens). */
  sub: string;
  /** The session's id for that client (`sid` of its ID tokens). */
  sid: string | null;
}

/** The logout token for a notice, signed with the provider's keys; undefined when the client no longer has a URI. */
export type SignLogout = (notice: LogoutNotice) => Promise<{ uri: string; token: string } | undefined>;

/**
 * Back-channel logout from a durable queue. Every way a user's sessions end goes
 * through `revokeAccount` (an administrator ending them, a status that stops
 * sign-in by the admin API, SCIM, an import or the lockout, a password reset, a
 * merge, an anonymisation): it reads the sessions, queues one notice per session
 * and client registered with a `backchannel_logout_uri`, and ends the sessions,
 * grants and tokens, all in one transaction. A sign-out at the end-session
 * endpoint queues its notices through `enqueue` (oidc-provider asks per client).
 * The worker signs each logout token when it sends it and POSTs it; an answer
 * other than 200 or 204, or none, is tried again with backoff.
 */
export function createBackchannelLogoutService(deps: {
  transact: Transact;
  payloads: OidcPayloadsRepository;
  clients: ClientsRepository;
  queue: JobQueueService;
  outbound: OutboundHttpService;
  log: Logger;
}) {
  const { queue } = deps;

  async function enqueueFor(accountId: string, trx: Executor): Promise<void> {
    const sent = new Set<string>();
    for (const { payload } of await deps.payloads.sessionsOf(accountId, trx)) {
      const authorizations = (payload.authorizations ?? {}) as Record<string, { sid?: string }>;
      for (const [clientId, { sid }] of Object.entries(authorizations)) {
        const key = `${clientId} ${sid}`;
        if (sent.has(key)) continue;
        sent.add(key);
        const client = await deps.clients.find(clientId, trx);
        if (typeof client?.metadata.backchannel_logout_uri !== 'string') continue;
        await queue.send('backchannel-logout', { clientId, sub: accountId, sid: sid ?? null }, trx);
      }
    }
  }

  async function deliver(notice: LogoutNotice, sign: SignLogout, last: boolean): Promise<void> {
    const signed = await sign(notice);
    if (!signed) return;
    const fields = { clientId: notice.clientId, uri: signed.uri };
    try {
      const answer = await deps.outbound.post(
        signed.uri,
        { 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams({ logout_token: signed.token }).toString(),
      );
      if (answer.status === 200 || answer.status === 204) return;
      throw new Error(`the client answered ${answer.status}`);
    } catch (err) {
      if (err instanceof AppError && err.code === 'outbound.address_refused') {
        deps.log.warn({ ...fields, reason: err.message }, 'backchannel_logout.refused');
        return;
      }
      if (last) deps.log.error({ ...fields, reason: (err as Error).message }, 'backchannel_logout.gave_up');
      throw err;
    }
  }

  return {
    /** Queues the logout notices of the account's sessions, then ends them with every grant and token (`payloads.revokeAccount`). */
    async revokeAccount(accountId: string, trx?: Executor): Promise<number> {
      const run = async (t: Executor) => {
        await enqueueFor(accountId, t);
        return deps.payloads.revokeAccount(accountId, t);
      };
      return trx ? run(trx) : deps.transact(run);
    },
    /** A sign-out: one client's notice. */
    enqueue: (notice: LogoutNotice) => queue.send('backchannel-logout', notice),
    /** Starts the worker; `sign` makes each logout token with the provider's current keys. */
    start: (sign: SignLogout) =>
      queue.work<LogoutNotice>('backchannel-logout', (job) => deliver(job.data, sign, job.last)),
  };
}
export type BackchannelLogoutService = ReturnType<typeof createBackchannelLogoutService>;
