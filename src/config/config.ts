import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { defined } from '../util/defined.js';

/** A rate limit written `<count>/<window>`, the window in s, m or h: `10/15m`. */
const rateLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .pipe(
      z.string().regex(/^\d+\/\d+[smh]$/, 'a rate limit is <count>/<window>, the window in s, m or h (e.g. 10/15m)'),
    )
    .transform((v) => {
      const [, count, size, unit] = defined(/^(\d+)\/(\d+)([smh])$/.exec(v), 'a checked rate limit');
      return { points: Number(count), seconds: Number(size) * { s: 1, m: 60, h: 3600 }[unit as 's' | 'm' | 'h'] };
    })
    .refine((l) => l.points >= 1 && l.seconds >= 1, 'a rate limit allows at least 1 in at least 1s');

/**
 * Every setting Gatehouse reads from the environment, parsed once at boot into a
 * frozen object. Defaults are the production defaults; tests override them through
 * `loadConfig({ ...overrides })`.
 */
const schema = z.object({
  /** HTTP port. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public issuer URL; also the origin of every page and link in mails. */
  ISSUER: z
    .url()
    .default('http://localhost:3000')
    .transform((u) => u.replace(/\/+$/, '')),
  /** PostgreSQL connection string. Unset: embedded PGlite under DATA_DIR. */
  DATABASE_URL: z.string().min(1).optional(),
  /** Where the embedded database and the generated dev secret live. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** Largest connection pool per instance (PostgreSQL only). */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).default(10),
  /**
   * Deadlines of every database call (PostgreSQL only), in milliseconds: a statement
   * (`statement_timeout`, and the client gives up 500 ms later even if the server is
   * frozen), waiting for a pooled connection, opening a connection. Past one, the
   * request answers 503 with Retry-After.
   */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  DB_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).default(3000),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(3000),
  /** On SIGTERM, the longest wait for requests in flight before the process exits anyway (exit 1). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(15000),
  /** smtp://user:pass@host:port. Unset: mail goes to the dev outbox table (a warning at start). */
  SMTP_URL: z.string().min(1).optional(),
  /**
   * With NODE_ENV=production the server refuses to start without SMTP_URL (reset
   * and invitation links would sit in a table), unless MAIL_OUTBOX=1 says the dev
   * outbox is wanted. Outbox rows are deleted after 24 hours.
   */
  MAIL_OUTBOX: z
    .enum(['0', '1', 'false', 'true'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  NODE_ENV: z.string().default('development'),
  MAIL_FROM: z.string().min(3).default('Gatehouse <no-reply@localhost>'),
  /** Encrypts private keys, client secrets and MFA secrets at rest; signs cookies. */
  GATEHOUSE_SECRET: z.string().min(32, 'GATEHOUSE_SECRET must be at least 32 characters').optional(),
  /** Trust X-Forwarded-* from a reverse proxy or load balancer in front. */
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /** argon2id cost; hashes made under other parameters are upgraded at sign-in. */
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).default(19456),
  ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
  /**
   * argon2 computations at once (hash or verify); the others wait in a queue of at most
   * ARGON2_QUEUE_MAX, beyond which a sign-in answers 503 with Retry-After. The default
   * leaves one core to everything else (tokens, SCIM, admin API): the cores less one.
   */
  ARGON2_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .default(Math.max(1, availableParallelism() - 1)),
  ARGON2_QUEUE_MAX: z.coerce.number().int().min(0).default(64),

  /** Password policy. */
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).default(12),
  PASSWORD_MAX_LENGTH: z.coerce.number().int().min(128).default(128),
  PASSWORD_REQUIRE_CLASSES: z
    .string()
    .default('')
    .transform(csv)
    .pipe(z.array(z.enum(['lower', 'upper', 'digit', 'symbol']))),
  PASSWORD_HISTORY: z.coerce.number().int().min(0).default(5),

  /** Lockout: failures before a lock, and its length (0 = until a password reset). */
  LOCKOUT_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  LOCKOUT_MINUTES: z.coerce.number().min(0).default(15),

  /**
   * Rate limits, `<count>/<window>`, counted in the database every instance shares.
   * Past the count, requests get 429 with Retry-After until the window ends.
   *   SIGNIN_IP          failed sign-in posts (password, second factor, passkey) from one IP
   *   SIGNIN_IDENTIFIER  failed sign-in posts for one identifier (or, at the second step, one user) from one IP; a success clears it
   *   RESET_MAIL         password-reset mails per account (more requests answer the same page, send nothing)
   *   RESET_IP           forgot-password posts from one IP
   *   CLIENT_AUTH        failed client authentications at the token endpoints per client and IP
   *   CLIENT_AUTH_IP     failed client authentications at the token endpoints from one IP
   *   BEARER_IP          failed bearer authentications at SCIM and the admin API from one IP
   *   SIGNUP_IP          sign-up posts from one IP
   *   SIGNUP_MAIL        sign-up mails per email address (more requests answer the same page, send nothing)
   */
  RATE_LIMIT_SIGNIN_IP: rateLimit('100/15m'),
  RATE_LIMIT_SIGNIN_IDENTIFIER: rateLimit('10/15m'),
  RATE_LIMIT_RESET_MAIL: rateLimit('3/15m'),
  RATE_LIMIT_RESET_IP: rateLimit('20/15m'),
  RATE_LIMIT_CLIENT_AUTH: rateLimit('10/15m'),
  RATE_LIMIT_CLIENT_AUTH_IP: rateLimit('100/15m'),
  RATE_LIMIT_BEARER_IP: rateLimit('50/15m'),
  RATE_LIMIT_SIGNUP_IP: rateLimit('20/15m'),
  RATE_LIMIT_SIGNUP_MAIL: rateLimit('3/15m'),

  /** MFA: roles that must use a second factor (enrolled during sign-in), and failures before the second step locks. */
  MFA_REQUIRED_ROLES: z
    .string()
    .default('admin,super_admin')
    .transform(csv)
    .pipe(z.array(z.enum(['individual', 'manager', 'hr', 'admin', 'super_admin']))),
  MFA_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  /** Longest life of an impersonation (token exchange or interactive), in seconds. */
  IMPERSONATION_TTL: z.coerce.number().int().min(60).default(3600),

  /** Token lifetimes, in seconds. */
  TTL_ACCESS_TOKEN: z.coerce.number().int().min(60).default(3600),
  TTL_ID_TOKEN: z.coerce.number().int().min(60).default(3600),
  TTL_REFRESH_TOKEN: z.coerce
    .number()
    .int()
    .min(60)
    .default(14 * 24 * 3600),
  TTL_SESSION: z.coerce
    .number()
    .int()
    .min(60)
    .default(14 * 24 * 3600),
  TTL_AUTHORIZATION_CODE: z.coerce.number().int().min(10).default(60),
  TTL_INTERACTION: z.coerce.number().int().min(60).default(3600),
  TTL_CLIENT_CREDENTIALS: z.coerce.number().int().min(60).default(600),
  /**
   * JWT access tokens for resource servers (APIs), user and client-credentials
   * alike: an API verifies them offline, so a deactivation reaches it only when they
   * expire. 300 s as Keycloak's default; a resource server's own `--ttl` overrides it.
   */
  TTL_API_ACCESS_TOKEN: z.coerce.number().int().min(60).default(300),
  TTL_PASSWORD_RESET: z.coerce.number().int().min(60).default(3600),
  /** The link that confirms the email of a self-registration. */
  TTL_SIGN_UP: z.coerce
    .number()
    .int()
    .min(60)
    .default(24 * 3600),

  /** SCIM limits, advertised in /ServiceProviderConfig and enforced. */
  SCIM_MAX_RESULTS: z.coerce.number().int().min(1).default(200),
  SCIM_BULK_MAX_OPERATIONS: z.coerce.number().int().min(1).default(1000),
  SCIM_MAX_PAYLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),

  /**
   * A running CSV import's lease, in seconds: its process renews it every third;
   * once it has run out (the process died or lost the database) any instance marks
   * the job failed, `import.interrupted`. Keep it the same on every instance.
   */
  IMPORT_LEASE_SECONDS: z.coerce.number().int().min(1).default(30),

  /**
   * Bulk actions: up to BULK_SYNC_LIMIT users are done while the request waits,
   * more run as a job (with the import's lease); a job changes BULK_CONCURRENCY
   * users at once on PostgreSQL (one at a time on embedded PGlite).
   */
  BULK_SYNC_LIMIT: z.coerce.number().int().min(1).default(500),
  BULK_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),

  /**
   * Prometheus metrics: `/metrics` on the public port for `Authorization: Bearer
   * <METRICS_TOKEN>`, and/or without a token on a listener of its own at METRICS_PORT
   * (keep that port private). Neither set: no metrics anywhere (404).
   */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),

  /**
   * Outbound calls (webhooks, back-channel logout, a client's jwks_uri). They refuse private, loopback and
   * link-local addresses unless OUTBOUND_ALLOW_PRIVATE=1 (development and tests only).
   * A failed call is tried OUTBOUND_RETRY_LIMIT more times, the first after
   * OUTBOUND_RETRY_DELAY_SECONDS and each wait about twice the one before; idle
   * workers look for jobs every OUTBOUND_POLL_SECONDS.
   */
  OUTBOUND_ALLOW_PRIVATE: z
    .enum(['0', '1', 'false', 'true'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  OUTBOUND_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  OUTBOUND_RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(10),
  OUTBOUND_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).default(30),
  OUTBOUND_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
});

const EMPTY_IS_A_VALUE = new Set(['MFA_REQUIRED_ROLES']);

function csv(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export type RawConfig = z.infer<typeof schema>;

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  // An empty variable (`SMTP_URL=`) means unset, except where empty is a value (`MFA_REQUIRED_ROLES=`: none).
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== '' || EMPTY_IS_A_VALUE.has(k))),
  );
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`config.invalid: ${detail}`);
  }
  const c = parsed.data;
  return Object.freeze({
    port: c.PORT,
    issuer: c.ISSUER,
    databaseUrl: c.DATABASE_URL,
    dataDir: c.DATA_DIR,
    databasePoolMax: c.DATABASE_POOL_MAX,
    databaseTimeouts: {
      statementMs: c.DB_STATEMENT_TIMEOUT_MS,
      acquireMs: c.DB_ACQUIRE_TIMEOUT_MS,
      connectMs: c.DB_CONNECT_TIMEOUT_MS,
    },
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    smtpUrl: c.SMTP_URL,
    mailOutbox: c.MAIL_OUTBOX,
    nodeEnv: c.NODE_ENV,
    mailFrom: c.MAIL_FROM,
    secret: c.GATEHOUSE_SECRET,
    logLevel: c.LOG_LEVEL,
    trustProxy: c.TRUST_PROXY,
    argon2: { memoryCost: c.ARGON2_MEMORY_KIB, timeCost: c.ARGON2_TIME_COST, parallelism: c.ARGON2_PARALLELISM },
    argon2Limits: { concurrency: c.ARGON2_CONCURRENCY, queueMax: c.ARGON2_QUEUE_MAX },
    rateLimits: {
      signInIp: c.RATE_LIMIT_SIGNIN_IP,
      signInIdentifier: c.RATE_LIMIT_SIGNIN_IDENTIFIER,
      resetMail: c.RATE_LIMIT_RESET_MAIL,
      resetIp: c.RATE_LIMIT_RESET_IP,
      clientAuth: c.RATE_LIMIT_CLIENT_AUTH,
      clientAuthIp: c.RATE_LIMIT_CLIENT_AUTH_IP,
      bearerIp: c.RATE_LIMIT_BEARER_IP,
      signUpIp: c.RATE_LIMIT_SIGNUP_IP,
      signUpMail: c.RATE_LIMIT_SIGNUP_MAIL,
    },
    passwordPolicy: {
      minLength: c.PASSWORD_MIN_LENGTH,
      maxLength: c.PASSWORD_MAX_LENGTH,
      requireClasses: c.PASSWORD_REQUIRE_CLASSES,
      history: c.PASSWORD_HISTORY,
    },
    lockout: { maxAttempts: c.LOCKOUT_MAX_ATTEMPTS, minutes: c.LOCKOUT_MINUTES },
    /** The MFA lock lasts as long as the password lock (`lockout.minutes`). */
    mfa: { requiredRoles: c.MFA_REQUIRED_ROLES, maxAttempts: c.MFA_MAX_ATTEMPTS },
    impersonationTtl: c.IMPERSONATION_TTL,
    ttl: {
      accessToken: c.TTL_ACCESS_TOKEN,
      idToken: c.TTL_ID_TOKEN,
      refreshToken: c.TTL_REFRESH_TOKEN,
      session: c.TTL_SESSION,
      authorizationCode: c.TTL_AUTHORIZATION_CODE,
      interaction: c.TTL_INTERACTION,
      clientCredentials: c.TTL_CLIENT_CREDENTIALS,
      apiAccessToken: c.TTL_API_ACCESS_TOKEN,
      passwordReset: c.TTL_PASSWORD_RESET,
      signUp: c.TTL_SIGN_UP,
    },
    scim: {
      maxResults: c.SCIM_MAX_RESULTS,
      maxOperations: c.SCIM_BULK_MAX_OPERATIONS,
      maxPayloadSize: c.SCIM_MAX_PAYLOAD_BYTES,
    },
    imports: { leaseSeconds: c.IMPORT_LEASE_SECONDS },
    bulk: { syncLimit: c.BULK_SYNC_LIMIT, concurrency: c.BULK_CONCURRENCY, leaseSeconds: c.IMPORT_LEASE_SECONDS },
    metrics: { token: c.METRICS_TOKEN, port: c.METRICS_PORT },
    outbound: {
      allowPrivate: c.OUTBOUND_ALLOW_PRIVATE,
      timeoutMs: c.OUTBOUND_TIMEOUT_MS,
      retry: {
        limit: c.OUTBOUND_RETRY_LIMIT,
        delaySeconds: c.OUTBOUND_RETRY_DELAY_SECONDS,
        pollSeconds: c.OUTBOUND_POLL_SECONDS,
      },
    },
  });
}

export type Config = ReturnType<typeof loadConfig>;
