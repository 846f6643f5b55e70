import type { Logger } from 'pino';
import type { Actor } from '../domain/actor.js';
import type { SelfRegistration } from '../domain/settings.js';
import { AppError, assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { evaluateSignUp, statusAfterSignUp, type SignUpForm } from '../policies/sign-up.js';
import type { SignUpRequest, SignUpRequestsRepository } from '../repositories/sign-up-requests.js';
import type { UsersRepository } from '../repositories/users.js';
import type { Clock } from '../util/clock.js';
import { hashToken, randomToken } from '../util/crypto.js';
import type { AuditService } from './audit.js';
import type { IdentityService } from './identity.js';
import type { MailTemplatesService } from './mail-templates.js';
import type { PasswordHasherService } from './password-hasher.js';

export interface SignUpDeps {
  requests: SignUpRequestsRepository;
  users: Pick<UsersRepository, 'isTaken' | 'verifyEmail'>;
  identity: Pick<IdentityService, 'checkPassword' | 'create'>;
  hasher: Pick<PasswordHasherService, 'hash'>;
  /** The mails (templates `email_confirmation`, `account_exists`), in the settings' default language. */
  mails: Pick<MailTemplatesService, 'send'>;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  issuer: string;
  /** Lifetime of the confirmation link. */
  ttlSeconds: number;
  /** The setting in force. */
  settings: () => SelfRegistration;
  /** Whether one more sign-up mail may go to this address now (counts it); the rate limit per address. */
  mayMail: (email: string) => Promise<boolean>;
}

/** What a person typed on the sign-up page. */
export interface SignUpInput extends SignUpForm {
  password: string;
  passwordConfirm: string;
}

/** Who writes a self-registration's user: nobody signed in. */
const SELF_REGISTRATION: Actor = { type: 'anonymous', name: 'self-registration' };

/**
 * Self-registration (SPEC, issue 13 section 9). `request` checks what the person
 * typed (the setting, the address and its domain, the names, the password policy)
 * and answers at once; the rest happens after the caller has answered and costs
 * the same whoever the address belongs to (an argon2 hash, one mail): a new
 * address gets a link to confirm it, an address with an account a mail saying
 * so, with the way to reset its password. Nothing the person sees tells which.
 * `confirm` creates the user from the link's request: `pending` until an
 * administrator approves, or `active` (setting `selfRegistration.approval`).
 */
export function createSignUpService(deps: SignUpDeps) {
  const { requests, clock } = deps;

  async function mailFor(input: SignUpInput): Promise<void> {
    const email = input.email.trim();
    // Hashed first and whatever the address: the work does not tell a registered address from a new one.
    const passwordHash = await deps.hasher.hash(input.password);
    if (!(await deps.mayMail(email))) return deps.log.info('sign_up.mail_limited');
    // Whom the mail greets: the names typed (the person has no user, so no language of theirs yet).
    const to = { email, givenName: input.givenName.trim(), familyName: input.familyName.trim() };
    if (await deps.users.isTaken('email', email)) {
      const reset = `${deps.issuer}/forgot-password?identifier=${encodeURIComponent(email)}`;
      await deps.mails.send('account_exists', to, { link: reset });
      return;
    }
    const token = randomToken();
    const expiresAt = new Date(clock.now().getTime() + deps.ttlSeconds * 1000);
    const request = { ...to, passwordHash };
    await requests.create(request, hashToken(token), expiresAt, clock.now());
    const link = `${deps.issuer}/sign-up/confirm?token=${encodeURIComponent(token)}`;
    await deps.mails.send('email_confirmation', to, (say) => ({ link, lifetime: say.lifetime(deps.ttlSeconds) }));
  }

  return {
    /** The setting in force (the pages show the link and the allowed domains). */
    settings: () => deps.settings(),

    /** Refuses with a `sign_up.*` or `password.*` error; otherwise answers at once and mails afterwards. */
    async request(input: SignUpInput): Promise<void> {
      const refusal = evaluateSignUp(input, deps.settings());
      if (refusal)
        throw refusal.code === 'sign_up.domain_not_allowed'
          ? fail(refusal.code, { domains: refusal.domains })
          : fail(refusal.code);
      assertThat(input.password === input.passwordConfirm, fail('sign_up.passwords_differ'));
      await deps.identity.checkPassword(input.password, input);
      mailFor(input).catch((err) => deps.log.error({ err }, 'sign_up.request_failed'));
    },

    /** The request of a live link (the confirmation page names the person), or undefined. */
    async check(token: string): Promise<SignUpRequest | undefined> {
      assertThat(deps.settings().enabled, fail('sign_up.disabled'));
      return requests.peek(hashToken(token), clock.now());
    },

    /**
     * Uses the link up and creates the user, audited as `user.registered` (by
     * nobody signed in) and `user.email_confirmed` (by the user), in one
     * transaction. An address that has meanwhile got an account creates nothing:
     * `existing` (only the holder of the link learns it).
     */
    async confirm(token: string, ip: string | null): Promise<'pending' | 'active' | 'existing'> {
      const settings = deps.settings();
      assertThat(settings.enabled, fail('sign_up.disabled'));
      const hash = hashToken(token);
      const request = await requests.peek(hash, clock.now());
      assertThat(request, fail('sign_up.invalid_token'));
      const existing = async () => {
        await requests.redeem(hash, clock.now());
        return 'existing' as const;
      };
      if (await deps.users.isTaken('email', request.email)) return existing();
      const status = statusAfterSignUp(settings);
      try {
        await deps.identity.create(
          {
            email: request.email,
            givenName: request.givenName,
            familyName: request.familyName,
            role: 'individual',
            status,
          },
          SELF_REGISTRATION,
          ip,
          {
            passwordHash: request.passwordHash,
            action: 'user.registered',
            async inTransaction(user, trx) {
              assertThat(await requests.redeem(hash, clock.now(), trx), fail('sign_up.invalid_token'));
              // The confirmation link reached the person: the email is verified.
              await deps.users.verifyEmail(user.id, request.email, trx);
              await deps.audit.record(
                {
                  actor: { type: 'user', id: user.id, name: user.email },
                  ip,
                  action: 'user.email_confirmed',
                  targetType: 'user',
                  targetId: user.id,
                  details: { approval: settings.approval, requestedAt: request.createdAt.toISOString() },
                },
                trx,
              );
            },
          },
        );
      } catch (err) {
        if (err instanceof AppError && err.code === 'user.email_taken') return existing();
        throw err;
      }
      return status === 'active' ? 'active' : 'pending';
    },
  };
}
export type SignUpService = ReturnType<typeof createSignUpService>;
