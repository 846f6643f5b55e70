import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Executor } from '../db/database.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { WebAuthnChallengesRepository } from '../repositories/webauthn-challenges.js';
import type { WebAuthnCredential, WebAuthnCredentialsRepository } from '../repositories/webauthn-credentials.js';
import type { Actor } from '../domain/actor.js';
import type { AuditService } from './audit.js';
import type { Clock } from '../util/clock.js';

/** A passkey as its owner sees it: never the key or the counter. */
export interface Passkey {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  deviceType: string | null;
  backedUp: boolean;
}

/** The WebAuthn library, loaded at the first ceremony: it costs every process's start-up a noticeable time otherwise. */
const webauthn = () => import('@simplewebauthn/server');

export type PasskeyOutcome =
  | { ok: true; userId: string; userVerified: boolean }
  | { ok: false; code: 'passkey.invalid' };

export interface PasskeysDeps {
  transact: <T>(fn: (trx: Executor) => Promise<T>) => Promise<T>;
  credentials: WebAuthnCredentialsRepository;
  challenges: WebAuthnChallengesRepository;
  audit: AuditService;
  clock: Clock;
  /**
   * The relying party: `id` is the issuer's host name (WebAuthn forbids IP
   * addresses), `origin` the issuer's origin, `name` what authenticators show.
   */
  rp: { id: string; origin: string; name: string };
}

/** How long a ceremony may take: the challenge's life and the browser's timeout. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
export const PASSKEY_NAME_MAX = 64;

const INVALID = { ok: false, code: 'passkey.invalid' } as const;
const invalidRegistration = () => fail('passkey.invalid');
const notFound = () => fail('passkey.not_found');

const toPasskey = (c: WebAuthnCredential): Passkey => ({
  id: c.id,
  name: c.name,
  createdAt: c.createdAt,
  lastUsedAt: c.lastUsedAt,
  deviceType: c.deviceType,
  backedUp: c.backedUp,
});

/** The WebAuthn user handle: the user id's UTF-8 bytes (no personal data), base64url in responses. */
const userHandle = (userId: string) => new TextEncoder().encode(userId);

/** The challenge the browser signed, read from clientDataJSON; undefined when unreadable. */
function challengeOf(response: { response?: { clientDataJSON?: unknown } }): string | undefined {
  try {
    const json = response.response?.clientDataJSON;
    if (typeof json !== 'string') return undefined;
    const challenge = (JSON.parse(Buffer.from(json, 'base64url').toString('utf8')) as { challenge?: unknown })
      .challenge;
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 256 ? challenge : undefined;
  } catch {
    return undefined;
  }
}

/** Trims and folds whitespace; no control characters; at most 64 characters. */
function cleanName(name: unknown): string {
  const value = typeof name === 'string' ? name.replace(/\s+/g, ' ').trim() : '';
  assertThat(!/\p{Cc}/u.test(value), () => fail('passkey.invalid_name', { problem: 'control_characters' }));
  assertThat([...value].length <= PASSKEY_NAME_MAX, () =>
    fail('passkey.invalid_name', { problem: 'too_long', max: PASSKEY_NAME_MAX }),
  );
  return value;
}

/**
 * Passkeys and security keys (WebAuthn). Every ceremony's challenge is stored
 * and consumed once; a registration's challenge is bound to the user, a sign-in's
 * to the user when the second factor is asked for, to nobody for a passkey alone.
 *
 * Errors: `passkey.invalid` (400, registration not verified), `passkey.invalid_name`
 * (400), `passkey.already_registered` (409), `passkey.not_found` (404).
 * `authenticate` never throws for a bad response: it answers `passkey.invalid`.
 */
export function createPasskeysService(deps: PasskeysDeps) {
  const { credentials, challenges, clock, rp } = deps;

  async function issue(challenge: string, purpose: 'register' | 'authenticate', userId: string | null) {
    const now = clock.now();
    await challenges.purgeExpired(now);
    await challenges.issue({ challenge, purpose, userId, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS) });
  }

  const descriptor = (c: WebAuthnCredential) => ({ id: c.credentialId, transports: c.transports });

  return {
    list: async (userId: string): Promise<Passkey[]> => (await credentials.listByUser(userId)).map(toPasskey),

    async registrationOptions(user: {
      id: string;
      userCode: string;
      displayName: string;
    }): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const existing = await credentials.listByUser(user.id);
      const options = await (await webauthn()).generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userID: userHandle(user.id),
        userName: user.userCode,
        userDisplayName: user.displayName,
        timeout: CHALLENGE_TTL_MS,
        attestationType: 'none',
        excludeCredentials: existing.map(descriptor),
        // Discoverable, so that the passkey alone can sign in later.
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
      });
      await issue(options.challenge, 'register', user.id);
      return options;
    },

    async register(
      userId: string,
      response: RegistrationResponseJSON,
      name: string,
      actor: Actor,
      ip: string | null = null,
    ): Promise<Passkey> {
      const wanted = cleanName(name);
      const challenge = challengeOf(response);
      assertThat(challenge, invalidRegistration);
      const issued = await challenges.consume(challenge, clock.now());
      assertThat(issued && issued.purpose === 'register' && issued.userId === userId, invalidRegistration);

      const verification = await (await webauthn())
        .verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: false,
        })
        .catch(() => undefined);
      assertThat(verification?.verified, invalidRegistration);
      const info = verification.registrationInfo;

      return deps.transact(async (trx) => {
        const label = wanted || `Passkey ${(await credentials.countByUser(userId, trx)) + 1}`;
        const saved = await credentials.insert(
          {
            userId,
            credentialId: info.credential.id,
            publicKey: info.credential.publicKey,
            counter: info.credential.counter,
            transports: info.credential.transports ?? [],
            name: label,
            aaguid: info.aaguid,
            deviceType: info.credentialDeviceType,
            backedUp: info.credentialBackedUp,
          },
          trx,
        );
        assertThat(saved, () => fail('passkey.already_registered'));
        await deps.audit.record(
          {
            actor,
            ip,
            action: 'mfa.passkey_registered',
            targetType: 'user',
            targetId: userId,
            details: { passkeyId: saved.id, name: saved.name, deviceType: saved.deviceType, aaguid: saved.aaguid },
          },
          trx,
        );
        return toPasskey(saved);
      });
    },

    /** With a user: a second factor, their credentials allowed. Without: a passkey alone, user verification required. */
    async authenticationOptions(userId?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const allow = userId ? (await credentials.listByUser(userId)).map(descriptor) : [];
      const options = await (await webauthn()).generateAuthenticationOptions({
        rpID: rp.id,
        allowCredentials: allow,
        userVerification: userId ? 'preferred' : 'required',
        timeout: CHALLENGE_TTL_MS,
      });
      await issue(options.challenge, 'authenticate', userId ?? null);
      return options;
    },

    /**
     *   challenge consumed (authenticate; issued for `expectedUserId`, or for nobody when none is expected)
     *   credential by id ─ owner = expectedUserId; userHandle = owner (required for a passkey alone)
     *   origin, RP ID, signature, user presence (+ verification for a passkey alone), counter increases
     *   counter stored by compare-and-set ─ lost the race ─▶ invalid
     */
    async authenticate(response: AuthenticationResponseJSON, expectedUserId?: string): Promise<PasskeyOutcome> {
      const challenge = challengeOf(response);
      if (!challenge || typeof response.id !== 'string' || response.id.length > 1366) return INVALID;
      const now = clock.now();
      const issued = await challenges.consume(challenge, now);
      if (issued?.purpose !== 'authenticate' || issued.userId !== (expectedUserId ?? null)) return INVALID;

      const stored = await credentials.findByCredentialId(response.id);
      if (!stored || (expectedUserId !== undefined && stored.userId !== expectedUserId)) return INVALID;
      // A passkey alone names its user (WebAuthn §7.2 step 6): the handle must be there and be the owner's.
      const handle = response.response?.userHandle;
      if (handle ? handle !== Buffer.from(userHandle(stored.userId)).toString('base64url') : issued.userId === null)
        return INVALID;

      const verification = await (await webauthn())
        .verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          credential: {
            id: stored.credentialId,
            publicKey: stored.publicKey,
            counter: stored.counter,
            transports: stored.transports,
          },
          requireUserVerification: issued.userId === null,
        })
        .catch(() => undefined);
      if (!verification?.verified) return INVALID;
      const info = verification.authenticationInfo;

      const recorded = await credentials.recordUse(stored.id, stored.counter, {
        counter: info.newCounter,
        backedUp: info.credentialBackedUp,
        at: now,
      });
      if (!recorded) return INVALID;
      return { ok: true, userId: stored.userId, userVerified: info.userVerified };
    },

    async rename(userId: string, id: string, name: string, actor: Actor, ip: string | null = null): Promise<Passkey> {
      const wanted = cleanName(name);
      assertThat(wanted, () => fail('passkey.invalid_name', { problem: 'empty' }));
      return deps.transact(async (trx) => {
        const before = await credentials.findForUser(userId, id, trx, { lock: true });
        assertThat(before, notFound);
        const after = await credentials.rename(userId, id, wanted, trx);
        assertThat(after, notFound);
        await deps.audit.record(
          {
            actor,
            ip,
            action: 'mfa.passkey_renamed',
            targetType: 'user',
            targetId: userId,
            changes: { name: [before.name, after.name] },
            details: { passkeyId: id },
          },
          trx,
        );
        return toPasskey(after);
      });
    },

    async remove(userId: string, id: string, actor: Actor, ip: string | null = null): Promise<void> {
      await deps.transact(async (trx) => {
        const removed = await credentials.remove(userId, id, trx);
        assertThat(removed, notFound);
        await deps.audit.record(
          {
            actor,
            ip,
            action: 'mfa.passkey_removed',
            targetType: 'user',
            targetId: userId,
            details: { passkeyId: id, name: removed.name },
          },
          trx,
        );
      });
    },
  };
}
export type PasskeysService = ReturnType<typeof createPasskeysService>;
