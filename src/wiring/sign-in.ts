import { createSignInAuditService } from '../services/sign-in-audit.js';
import { isCommonPassword } from '../services/common-passwords.js';
import { createIdentityService } from '../services/identity.js';
import { createPasswordHasherService } from '../services/password-hasher.js';
import { createPasswordResetService } from '../services/password-reset.js';
import { createRateLimitsService } from '../services/rate-limits.js';
import { createSignUpService } from '../services/sign-up.js';
import { createPasskeysService } from '../services/passkeys.js';
import { createMfaService } from '../services/mfa.js';
import { createPasswordStrategy } from '../login/password.js';
import { createPasskeyStrategy } from '../login/passkey.js';
import { createRecoveryCodeStrategy } from '../login/recovery-code.js';
import { createSignInRunner } from '../login/sign-in-runner.js';
import { createTotpEnrolmentStrategy, createTotpStrategy } from '../login/totp.js';
import { createInvitationConfirmationService } from '../services/invitation-confirmation.js';
import { createUserExpiryService } from '../services/user-expiry.js';
import { createLockNoticeService } from '../services/lock-notice.js';
import { createEmailChangeService } from '../services/email-change.js';
import { createSecretBox, deriveKey } from '../util/crypto.js';
import { createHomeRealmService } from '../services/home-realm.js';
import type { Core } from './core.js';

type SignInDeps = Pick<
  Core,
  'config' | 'log' | 'clock' | 'secret' | 'transact' | 'repos' | 'audit' | 'settings' | 'mails' | 'metrics'
>;

/** Sign-in: the hasher, rate limits, identity, password resets, sign-up, MFA, passkeys, the runner and its strategies. */
export function createSignInArea(deps: SignInDeps) {
  const { config, log, clock, secret, transact, repos, audit, settings, mails, metrics } = deps;
  const hasher = createPasswordHasherService(config.argon2, config.argon2Limits);
  const rateLimits = createRateLimitsService({
    store: repos.rateLimitStore,
    settings: config.rateLimits,
    clock,
    refused: metrics.rateLimitRefused,
  });
  const identity = createIdentityService({
    transact,
    users: repos.users,
    credentials: repos.credentials,
    payloads: repos.payloads,
    hasher,
    audit,
    passwordPolicy: () => settings.current().passwordPolicy,
    duplicateEmails: () => settings.current().duplicateEmails,
    isCommonPassword,
  });
  // Temporary accounts end: at sign-in (here) and by the sweep (start-up's chores).
  const expiry = createUserExpiryService({
    transact,
    users: repos.users,
    audit,
    endSessions: identity.endSessions,
    clock,
    log,
  });
  const confirmInvitation = createInvitationConfirmationService({
    transact,
    users: repos.users,
    invitations: repos.invitations,
    identity,
    audit,
    clock,
  });
  const passwordResets = createPasswordResetService({
    transact,
    users: repos.users,
    tokens: repos.resetTokens,
    identity,
    mails,
    audit,
    clock,
    log,
    issuer: config.issuer,
    ttlSeconds: config.ttl.passwordReset,
    mayMail: rateLimits.passwordReset.mayMail,
    // Completing the link of an invitation mail confirms the invitation.
    onCompleted: confirmInvitation,
  });
  const signUp = createSignUpService({
    requests: repos.signUpRequests,
    users: repos.users,
    identity,
    hasher,
    mails,
    audit,
    clock,
    log,
    issuer: config.issuer,
    ttlSeconds: config.ttl.signUp,
    settings: () => settings.current().selfRegistration,
    mayMail: rateLimits.signUp.mayMail,
  });
  const issuerUrl = new URL(config.issuer);
  const mfa = createMfaService({
    transact,
    totp: repos.totpFactors,
    recoveryCodes: repos.recoveryCodes,
    attempts: repos.mfaAttempts,
    factors: repos.mfaFactors,
    users: repos.users,
    audit,
    clock,
    totpBox: createSecretBox(secret, 'totp-secret'),
    recoveryCodeKey: deriveKey(secret, 'recovery-code'),
    issuer: config.issuer,
    // The MFA lock lasts as long as the password lock.
    lockout: () => ({ maxAttempts: settings.current().mfa.maxAttempts, minutes: settings.current().lockout.minutes }),
  });
  const passkeys = createPasskeysService({
    transact,
    credentials: repos.webauthnCredentials,
    challenges: repos.webauthnChallenges,
    audit,
    clock,
    rp: { id: issuerUrl.hostname, origin: issuerUrl.origin, name: 'Gatehouse' },
  });
  const homeRealm = createHomeRealmService({ providers: repos.identityProviders });
  // The sign-in runner and one strategy per method (login/).
  const signIn = {
    runner: createSignInRunner({
      facts: repos.signInFacts,
      mfaSettings: () => settings.current().mfa,
      audit: createSignInAuditService({ audit, counted: metrics.signIn }),
      throttle: rateLimits.signIn,
      clock,
      expire: expiry.expire,
    }),
    password: createPasswordStrategy({
      credentials: repos.credentials,
      hasher,
      audit,
      clock,
      lockout: () => settings.current().lockout,
      endSessions: identity.endSessions,
      expire: expiry.expire,
      federationRequired: async (userId) => Boolean(await homeRealm.requiredFor(userId)),
      notifyLocked: createLockNoticeService({ users: repos.users, mails, issuer: config.issuer, log }),
    }),
    totp: createTotpStrategy(mfa),
    recoveryCode: createRecoveryCodeStrategy(mfa),
    totpEnrolment: createTotpEnrolmentStrategy(mfa),
    passkey: createPasskeyStrategy({ passkeys, mfa }),
  };
  // A person's own change of email: its link lives as long as a sign-up's confirmation link.
  const emailChanges = createEmailChangeService({
    transact,
    changes: repos.emailChanges,
    users: repos.users,
    mails,
    audit,
    clock,
    issuer: config.issuer,
    ttlSeconds: config.ttl.signUp,
    duplicateEmails: () => settings.current().duplicateEmails,
  });
  return {
    hasher,
    rateLimits,
    identity,
    passwordResets,
    signUp,
    mfa,
    passkeys,
    signIn,
    expiry,
    emailChanges,
    homeRealm,
  };
}
