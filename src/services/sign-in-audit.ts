import type { SignInAttemptContext, SignInFailure, SignInSuccess } from '../domain/sign-in-attempt.js';
import type { Executor } from '../db/database.js';
import type { AuditService } from './audit.js';

/** The longest User-Agent and typed identifier kept (characters); longer ones are cut. */
export const USER_AGENT_MAX = 512;
export const IDENTIFIER_MAX = 256;

const cut = (value: string | null | undefined, max: number) => {
  // Control characters out (log viewers), then at most `max` characters.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
  const clean = (value ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean ? [...clean].slice(0, max).join('') : null;
};

/**
 * Records sign-in attempts in the audit log, one row per attempt, at the place
 * that knows its outcome:
 *
 *   signin.succeeded  after the last factor; actor and target the user; details amr, clientId, userAgent
 *   signin.failed     details reason (SignInFailureReason), identifier typed, factor, clientId, userAgent;
 *                     actor anonymous (nobody proved who they are); target the user when one was named
 *
 * The IP is the event's `ip`. The identifier is recorded as typed (as Keycloak
 * does: it is what an operator searches for), trimmed to IDENTIFIER_MAX; a
 * password is never recorded. Rows age out with `auditRetentionDays` like every
 * other event. Each call is one INSERT, awaited before the answer.
 */
export function createSignInAuditService(deps: {
  audit: AuditService;
  /** Counts each attempt (services/metrics.ts `signIn`). */
  counted: (result: 'succeeded' | 'failed', reason?: string) => void;
}) {
  const common = (context: SignInAttemptContext) => ({
    clientId: context.clientId,
    userAgent: cut(context.userAgent, USER_AGENT_MAX),
  });
  return {
    succeeded(success: SignInSuccess, context: SignInAttemptContext, trx?: Executor): Promise<void> {
      deps.counted('succeeded');
      return deps.audit.record(
        {
          actor: { type: 'user', id: success.userId },
          action: 'signin.succeeded',
          targetType: 'user',
          targetId: success.userId,
          ip: context.ip,
          details: { amr: [...success.amr], ...common(context) },
        },
        trx,
      );
    },

    failed(failure: SignInFailure, context: SignInAttemptContext, trx?: Executor): Promise<void> {
      const identifier = cut(failure.identifier, IDENTIFIER_MAX);
      deps.counted('failed', failure.reason);
      return deps.audit.record(
        {
          actor: { type: 'anonymous' },
          action: 'signin.failed',
          targetType: failure.userId ? 'user' : undefined,
          targetId: failure.userId ?? null,
          ip: context.ip,
          details: {
            reason: failure.reason,
            ...(identifier ? { identifier } : {}),
            ...(failure.factor ? { factor: failure.factor } : {}),
            ...common(context),
          },
        },
        trx,
      );
    },
  };
}
export type SignInAuditService = ReturnType<typeof createSignInAuditService>;
