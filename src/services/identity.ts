import { randomInt } from 'node:crypto';
import type { Executor, Transact } from '../db/database.js';
import { type AppError, assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import {
  type ContactValue,
  type PostalAddress,
  PROFILE_FIELDS,
  type Profile,
  type Role,
  type Status,
  type User,
} from '../domain/user.js';
import { maySignIn } from '../policies/status.js';
import { drawUserCode } from '../policies/user-code.js';
import { evaluatePassword, type PasswordPolicy, type PasswordViolation } from '../policies/password.js';
import type { UsersRepository } from '../repositories/users.js';
import type { CredentialsRepository } from '../repositories/credentials.js';
import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import type { PasswordHasherService } from './password-hasher.js';
import type { Actor } from '../domain/actor.js';
import type { AuditService } from './audit.js';

export interface IdentityDeps {
  transact: Transact;
  users: UsersRepository;
  credentials: CredentialsRepository;
  payloads: OidcPayloadsRepository;
  hasher: PasswordHasherService;
  audit: AuditService;
  passwordPolicy: () => PasswordPolicy;
  /** The duplicate-email setting: when on, several users may share an email. */
  duplicateEmails: () => boolean;
  isCommonPassword: (password: string) => boolean;
}

export interface CreateUserInput extends Partial<Profile> {
  email: string | null;
  /** An administrator vouches that the email reaches the user. */
  emailVerified?: boolean;
  password?: string | null;
  role: Role;
  status?: Status;
  /** Generated when blank. */
  userCode?: string | null;
  externalId?: string | null;
  mainAccountId?: string;
  directManagerId?: string | null;
  tags?: string[];
  customAttributes?: Record<string, unknown>;
  /** When the account ends (it becomes `inactive`). */
  expiresAt?: Date | null;
  /** Besides the email (the primary work email). */
  phoneNumbers?: ContactValue[];
  addresses?: PostalAddress[];
}

/** Users, their passwords and their statuses: everything that changes who may sign in. */
export function createIdentityService(deps: IdentityDeps) {
  const { users, credentials, hasher, audit } = deps;

  function passwordError(code: PasswordViolation | 'password.reused'): AppError {
    return fail(code, deps.passwordPolicy());
  }

  /** The policy, then the history; throws `password.*` with a readable message. */
  async function checkPassword(
    password: string,
    person: { email?: string | null; givenName?: string | null; familyName?: string | null },
    userId?: string,
    trx?: Executor,
  ) {
    const policy = deps.passwordPolicy();
    const violation = evaluatePassword(
      password,
      { email: person.email, names: [person.givenName, person.familyName], isCommon: deps.isCommonPassword },
      policy,
    );
    if (violation) throw passwordError(violation);
    if (userId) {
      for (const old of await credentials.recentPasswordHashes(userId, policy.history, trx)) {
        if (await hasher.verify(old, password)) throw passwordError('password.reused');
      }
    }
  }

  async function freeUserCode(trx: Executor): Promise<string> {
    for (;;) {
      const code = drawUserCode(randomInt);
      if (!(await users.isTaken('user_code', code, trx))) return code;
    }
  }

  /** Ends every session, grant and token of the user (they may no longer sign in). */
  const endSessions = (userId: string) => deps.payloads.revokeAccount(userId);

  async function writeStatus(
    userId: string,
    status: Status,
    actor: Actor,
    ip: string | null,
    trx: Executor,
  ): Promise<User> {
    const result = await users.setStatus(userId, status, trx);
    assertThat(result, fail('user.not_found'));
    await audit.record(
      {
        actor,
        ip,
        action: 'user.status_changed',
        targetType: 'user',
        targetId: userId,
        changes: { status: [result.before, status] },
      },
      trx,
    );
    return result.user;
  }

  /** Stores a password that `checkPassword` has already accepted. */
  async function storeCheckedPassword(
    userId: string,
    password: string,
    actor: Actor,
    options: { reset: boolean; ip?: string | null },
  ): Promise<void> {
    const hash = await hasher.hash(password);
    await deps.transact(async (trx) => {
      await credentials.setPassword(userId, hash, { unlock: options.reset }, trx);
      await audit.record(
        {
          actor,
          ip: options.ip ?? null,
          action: options.reset ? 'user.password_reset' : 'user.password_changed',
          targetType: 'user',
          targetId: userId,
        },
        trx,
      );
    });
    if (options.reset) await endSessions(userId);
  }

  return {
    checkPassword,
    endSessions,
    storeCheckedPassword,

    /**
     * Creates a user, audited as `user.created` (or `options.action`). Self-registration
     * gives a password hashed and checked at its request, and writes more (`inTransaction`)
     * in the transaction that creates the user.
     */
    async create(
      input: CreateUserInput,
      actor: Actor,
      ip: string | null = null,
      options: {
        passwordHash?: string;
        action?: 'user.created' | 'user.registered';
        inTransaction?: (user: User, trx: Executor) => Promise<void>;
      } = {},
    ): Promise<User> {
      if (input.password) await checkPassword(input.password, input);
      const passwordHash = options.passwordHash ?? (input.password ? await hasher.hash(input.password) : null);
      return deps.transact(async (trx) => {
        if (input.email && !deps.duplicateEmails())
          assertThat(!(await users.isTaken('email', input.email, trx)), fail('user.email_taken'));
        if (input.userCode)
          assertThat(!(await users.isTaken('user_code', input.userCode, trx)), fail('user.user_code_taken'));
        const user = await users.create(
          {
            userCode: input.userCode || (await freeUserCode(trx)),
            email: input.email,
            emailVerified: input.emailVerified,
            profile: Object.fromEntries(PROFILE_FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]])),
            status: input.status ?? 'new',
            mainRole: input.role,
            mainAccountId: input.mainAccountId,
            externalId: input.externalId,
            directManagerId: input.directManagerId,
            tags: input.tags,
            customAttributes: input.customAttributes,
            expiresAt: input.expiresAt,
            passwordHash,
            contacts:
              input.phoneNumbers?.length || input.addresses?.length
                ? {
                    emails: input.email ? [{ value: input.email, type: 'work', display: null, primary: true }] : [],
                    phoneNumbers: input.phoneNumbers ?? [],
                    addresses: input.addresses ?? [],
                  }
                : undefined,
          },
          trx,
        );
        await audit.record(
          {
            actor,
            action: options.action ?? 'user.created',
            targetType: 'user',
            targetId: user.id,
            ip,
            changes: {
              status: [null, user.status],
              mainRole: [null, user.mainRole],
              email: [null, user.email],
              ...(user.emailVerified ? { emailVerified: [null, true] } : {}),
              userCode: [null, user.userCode],
              ...(user.expiresAt ? { expiresAt: [null, user.expiresAt] } : {}),
            },
          },
          trx,
        );
        await options.inTransaction?.(user, trx);
        return user;
      });
    },

    async find(identifier: string): Promise<User> {
      const user = await users.findByAnyIdentifier(identifier);
      assertThat(user, fail('user.not_found', { identifier }));
      return user;
    },

    roleAssignments: (userId: string) => users.roleAssignments(userId),

    /**
     * Sets a password under the policy. `reset` marks a completed password reset:
     * it lifts a lock and ends the user's sessions.
     */
    async setPassword(
      userId: string,
      password: string,
      actor: Actor,
      options: { reset: boolean; ip?: string | null },
    ): Promise<void> {
      const user = await users.findById(userId);
      assertThat(user, fail('user.not_found'));
      await checkPassword(password, user, user.id);
      await storeCheckedPassword(user.id, password, actor, options);
    },

    /** Changes the status; a status that may not sign in ends every session at once. */
    async setStatus(userId: string, status: Status, actor: Actor, ip: string | null = null): Promise<User> {
      const changed = await deps.transact((trx) => writeStatus(userId, status, actor, ip, trx));
      if (!maySignIn(status)) await endSessions(userId);
      return changed;
    },

    /** The status written and audited in the caller's transaction; ending sessions is the caller's, after it commits. */
    writeStatus,
  };
}
export type IdentityService = ReturnType<typeof createIdentityService>;
