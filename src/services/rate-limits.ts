import { createHash } from 'node:crypto';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { fail } from '../errors/codes.js';
import { RATE_LIMITS_TABLE, type RateLimitStore } from '../repositories/rate-limit-store.js';
import type { Clock } from '../util/clock.js';

/** At most `points` in a window of `seconds` (a fixed window, from the first point). */
export interface RateLimit {
  points: number;
  seconds: number;
}

export interface RateLimitSettings {
  signInIp: RateLimit;
  signInIdentifier: RateLimit;
  resetMail: RateLimit;
  resetIp: RateLimit;
  clientAuth: RateLimit;
  clientAuthIp: RateLimit;
  bearerIp: RateLimit;
  signUpIp: RateLimit;
  signUpMail: RateLimit;
}

export interface RateLimitsDeps {
  store: RateLimitStore;
  settings: RateLimitSettings;
  clock: Clock;
  /** Counts a refusal, by the limit's name (`signin_ip`, `bearer_ip` …): services/metrics.ts `rateLimitRefused`. */
  refused: (limit: string) => void;
}

/** What a guarded sign-in attempt came to: only `failed` spends points; `ok` clears the identifier's count. */
export type AttemptResult = 'ok' | 'failed' | 'other';

/** Identifiers and client ids are hashed into keys: the table holds no email, and keys stay short. */
const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 32);

/**
 * The rate limits (rate-limiter-flexible on the `rate_limits` table every
 * instance shares). Failures are what count where a success is the normal case
 * (sign-in, client and bearer authentication): a blocked key is refused before
 * any work (an argon2 hash, a token look-up), and a heavy but correct caller is
 * never slowed. Forgot-password counts every request. Refusals throw RetryLater
 * `rate_limit.exceeded` (429) carrying the seconds until the window ends.
 */
export function createRateLimitsService(deps: RateLimitsDeps) {
  const limiter = (keyPrefix: string, limit: RateLimit) =>
    new RateLimiterPostgres({
      storeClient: deps.store.client,
      storeType: 'pool',
      tableName: RATE_LIMITS_TABLE,
      tableCreated: true,
      // Expired rows are deleted by the server's periodic upkeep (deleteExpired), not a timer per limiter.
      clearExpiredByTimeout: false,
      keyPrefix,
      points: limit.points,
      duration: limit.seconds,
    });
  const s = deps.settings;
  const limiters = {
    signInIp: limiter('signin_ip', s.signInIp),
    signInIdentifier: limiter('signin_id', s.signInIdentifier),
    resetMail: limiter('reset_mail', s.resetMail),
    resetIp: limiter('reset_ip', s.resetIp),
    clientAuth: limiter('client_auth', s.clientAuth),
    clientAuthIp: limiter('client_ip', s.clientAuthIp),
    bearerIp: limiter('bearer_ip', s.bearerIp),
    signUpIp: limiter('signup_ip', s.signUpIp),
    signUpMail: limiter('signup_mail', s.signUpMail),
  };
  type Limiter = RateLimiterPostgres;
  type Check = [Limiter, string];

  /**
   * The keys this instance has seen spent, until their window ends (epoch ms). The
   * counts are in PostgreSQL, shared by every instance; the verdict is kept here so
   * that a check costs no statement: a request that fails nothing never reads the
   * table (token and bearer requests stay as fast as without limits). An instance
   * learns that a key is spent at the first failure it counts past the limit, so with
   * N instances at most N − 1 more failures are evaluated than the limit allows.
   */
  const spent = new Map<string, number>();
  const remember = (l: Limiter, key: string, res: RateLimiterRes) => {
    if (res.consumedPoints < l.points) return;
    const now = deps.clock.now().getTime();
    if (spent.size >= 10_000) for (const [k, until] of spent) if (until <= now) spent.delete(k);
    spent.set(l.getKey(key), now + res.msBeforeNext);
  };
  /** Throws 429 when this instance has seen any of the keys spent, with the longest wait (keys made only then). */
  function assertOpen(keys: Check[] | (() => Check[])): void {
    if (spent.size === 0) return;
    const checks = typeof keys === 'function' ? keys() : keys;
    const now = deps.clock.now().getTime();
    const waits = checks.map(([l, key]) => ({ limit: l.keyPrefix, wait: (spent.get(l.getKey(key)) ?? 0) - now }));
    const longest = waits.reduce((a, b) => (b.wait > a.wait ? b : a), { limit: '', wait: 0 });
    if (longest.wait > 0) {
      deps.refused(longest.limit);
      throw fail('rate_limit.exceeded', { retryAfterSeconds: Math.max(1, Math.ceil(longest.wait / 1000)) });
    }
  }
  const penalise = (checks: Check[]) =>
    Promise.all(checks.map(async ([l, key]) => remember(l, key, await l.penalty(key, 1))));
  /** Spends a point of each key; throws 429 when one had none left. */
  async function consume(checks: Check[]): Promise<void> {
    for (const [l, key] of checks) {
      try {
        await l.consume(key);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        deps.refused(l.keyPrefix);
        throw fail('rate_limit.exceeded', { retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) });
      }
    }
  }

  /** Spends a point; false (nothing thrown) when none was left. */
  async function allowed(check: Check): Promise<boolean> {
    try {
      await consume([check]);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'rate_limit.exceeded') return false;
      throw err;
    }
  }

  const signInKeys = (who: { ip: string; identifier?: string }): Check[] => {
    const identifier = who.identifier?.trim().toLowerCase();
    return [
      [limiters.signInIp, who.ip],
      ...(identifier ? [[limiters.signInIdentifier, digest(identifier, who.ip)] as Check] : []),
    ];
  };
  const clientKeys = (ip: string, clientId?: string): Check[] => [
    [limiters.clientAuthIp, ip],
    ...(clientId ? [[limiters.clientAuth, digest(clientId, ip)] as Check] : []),
  ];

  return {
    signIn: {
      /**
       * THE sign-in throttle (password, second factor, passkey posts): refuses a
       * spent IP or identifier before `attempt` runs, counts its failure, and
       * clears the identifier's count on a success. `identifier` is what was typed
       * (or `user:<id>` at the second step); the count is per identifier and IP,
       * so nobody can lock a victim out from the victim's own address.
       */
      async guard<T>(
        who: { ip: string; identifier?: string },
        attempt: () => Promise<T>,
        result: (outcome: T) => AttemptResult,
      ): Promise<T> {
        const keys = signInKeys(who);
        assertOpen(keys);
        const outcome = await attempt();
        const r = result(outcome);
        if (r === 'failed') await penalise(keys);
        else if (r === 'ok' && keys[1]) {
          await keys[1][0].delete(keys[1][1]);
          spent.delete(keys[1][0].getKey(keys[1][1]));
        }
        return outcome;
      },
    },
    passwordReset: {
      /** A forgot-password post from `ip`: throws 429 past the limit. */
      request: (ip: string) => consume([[limiters.resetIp, ip]]),
      /** Whether one more reset mail may go to this user now (it counts the mail). */
      mayMail: (userId: string) => allowed([limiters.resetMail, userId]),
    },
    signUp: {
      /** A sign-up post from `ip`: throws 429 past the limit. */
      request: (ip: string) => consume([[limiters.signUpIp, ip]]),
      /** Whether one more sign-up mail may go to this address now (it counts the mail; the key is a hash). */
      mayMail: (email: string) => allowed([limiters.signUpMail, digest(email.trim().toLowerCase())]),
    },
    clientAuth: {
      /** Before a token-endpoint request: throws 429 (synchronously: it reads no table) when the IP (or the client from this IP) failed too often. */
      check: (ip: string, clientId?: string) => assertOpen(() => clientKeys(ip, clientId)),
      /** After `invalid_client`. */
      failed: (ip: string, clientId?: string) => penalise(clientKeys(ip, clientId)).then(() => undefined),
    },
    bearer: {
      /** Before a SCIM or admin-API bearer is looked up: throws 429 when this IP failed too often there. */
      check: async (area: 'scim' | 'admin', ip: string) => assertOpen([[limiters.bearerIp, `${area}:${ip}`]]),
      /** After a bearer was refused. */
      failed: (area: 'scim' | 'admin', ip: string) =>
        penalise([[limiters.bearerIp, `${area}:${ip}`]]).then(() => undefined),
    },
  };
}
export type RateLimitsService = ReturnType<typeof createRateLimitsService>;
