import type { Executor, Transact } from '../db/database.js';
import { GUEST_ACCOUNT_ID } from '../domain/account.js';
import type { DirectoryEntry, Role, User } from '../domain/user.js';
import { planRoles, RoleNotGrantable, statusForActive, type RolePlan } from '../policies/provisioned-roles.js';
import { maySignIn } from '../policies/status.js';
import type { AccountsRepository } from '../repositories/accounts.js';
import type { CredentialsRepository } from '../repositories/credentials.js';
import type { UserDirectory } from '../repositories/user-directory.js';
import type { UserRelationsRepository } from '../repositories/user-relations.js';
import type { UsersRepository } from '../repositories/users.js';
import { invalidValue, notFound, ScimError } from '../scim/errors.js';
import { checkIfMatch } from '../scim/etag.js';
import { compileFilter, compileSort } from '../scim/filter.js';
import type { ListQuery } from '../scim/list-query.js';
import { applyPatch } from '../scim/patch.js';
import { ENTERPRISE_USER, type ScimDoc } from '../scim/schemas.js';
import { fromScimUser, toScimUser, userChanges, type UserWrite } from '../scim/user-mapper.js';
import type { Actor } from '../domain/actor.js';
import type { AuditService } from './audit.js';
import type { IdentityService } from './identity.js';
import { assertSuperAdminRemains } from './last-super-admin.js';
import type { PasswordHasherService } from './password-hasher.js';
import type { UserRecordService } from './user-record.js';
import { canonicalRecord, checkUserRecord, type RecordRules } from '../policies/user-record.js';

/** Who is provisioning: the audit actor, the roles it may grant, whether it vouches for emails. */
export interface ScimCaller {
  actor: Actor;
  grantableRoles: readonly Role[];
  /**
   * The emails it sends are verified (a token made with `trustEmails`). Otherwise a
   * changed email is not verified and an unchanged one keeps its state.
   */
  trustEmails: boolean;
  ip?: string;
}

export interface ScimUsersDeps {
  transact: Transact;
  users: UsersRepository;
  directory: UserDirectory;
  credentials: CredentialsRepository;
  accounts: AccountsRepository;
  relations: Pick<UserRelationsRepository, 'lockedSuperAdminCount'>;
  identity: IdentityService;
  hasher: PasswordHasherService;
  audit: AuditService;
  baseUrl: string;
  record: Pick<UserRecordService, 'rules'>;
}

/**
 * SCIM Users on the domain: every write in one transaction, audited with the
 * caller. Uniqueness of userName and email is the database's (unique indexes).
 */
export function createScimUsersService(deps: ScimUsersDeps) {
  const { users, directory, accounts, audit, baseUrl } = deps;

  /** The custom fields the Gatehouse extension shows. */
  const customKeys = async (trx?: Executor) => (await deps.record.rules(trx)).customFields.map((f) => f.key);

  async function docOf(id: string, trx?: Executor): Promise<ScimDoc> {
    const entry = await directory.findById(id, trx);
    if (!entry) throw notFound(`User ${id} not found.`);
    return toScimUser(entry, baseUrl, await customKeys(trx));
  }

  /**
   * The user record the write leaves, against the rules (required fields,
   * language, time zone, custom fields): 400 invalidValue naming the first
   * problem. Returns the custom attributes to write (undefined: they stay);
   * language tags and the zone are made canonical in `w`.
   */
  function checkRecord(
    w: UserWrite,
    before: User | undefined,
    mainAccountId: string | undefined,
    rules: RecordRules,
  ): Record<string, unknown> | undefined {
    w.profile = canonicalRecord(w.profile);
    let customAttributes = before?.customAttributes ?? {};
    if (w.custom) {
      // The extension holds every custom field: one it leaves out is cleared; other attributes stay.
      const next = { ...customAttributes };
      for (const f of rules.customFields) delete next[f.key];
      for (const [key, value] of Object.entries(w.custom)) {
        const field = rules.customFields.find((f) => f.key.toLowerCase() === key.toLowerCase());
        if (!field) throw invalidValue(`"${key}" is not a custom field of this server.`);
        if (value !== null && value !== '') next[field.key] = value;
      }
      customAttributes = next;
    }
    const [problem] = checkUserRecord(
      {
        ...w.profile,
        email: w.email,
        externalId: w.externalId,
        mainAccountId: mainAccountId ?? before?.mainAccountId ?? GUEST_ACCOUNT_ID,
        customAttributes,
        phoneNumbers: w.contacts.phoneNumbers,
        addresses: w.contacts.addresses,
      },
      rules,
    );
    if (problem) throw invalidValue(problem.message);
    return w.custom ? customAttributes : undefined;
  }

  function plan(
    current: Role[],
    currentMain: Role | null,
    requested: NonNullable<UserWrite['roles']>,
    caller: ScimCaller,
  ): RolePlan {
    try {
      return planRoles({
        current,
        currentMain,
        requested: requested.names,
        primary: requested.primary,
        grantable: caller.grantableRoles,
      });
    } catch (err) {
      if (err instanceof RoleNotGrantable)
        throw new ScimError(403, undefined, `This token may not grant the role(s): ${err.roles.join(', ')}.`);
      throw err;
    }
  }

  /** What a write needs that takes a lookup or hashing: the manager, the main account, the password hash. */
  async function prepare(w: UserWrite, before: User | undefined, trx: Executor) {
    let manager: DirectoryEntry['manager'] = null;
    if (w.managerId) {
      if (w.managerId === before?.id) throw invalidValue('A user cannot be their own manager.');
      const name = await users.displayName(w.managerId, trx);
      if (!name) throw invalidValue(`manager "${w.managerId}" is not a user.`);
      manager = { id: w.managerId, displayName: name };
    }
    if (w.password) await deps.identity.checkPassword(w.password, { email: w.email, ...w.profile }, before?.id, trx);
    const account = w.organization ? await accounts.findOrCreateByName(w.organization, trx) : undefined;
    return {
      manager,
      passwordHash: w.password ? await deps.hasher.hash(w.password) : undefined,
      mainAccountId: w.organization === undefined ? undefined : (account?.id ?? GUEST_ACCOUNT_ID),
      organization: account && account.kind !== 'guest' ? account.name : null,
    };
  }

  /** Writes a validated document over an existing user; says whether they may no longer sign in, and whether the email is verified. */
  async function update(
    w: UserWrite,
    before: User,
    caller: ScimCaller,
    trx: Executor,
  ): Promise<{ ended: boolean; emailVerified: boolean }> {
    const { passwordHash, mainAccountId } = await prepare(w, before, trx);
    const customAttributes = checkRecord(w, before, mainAccountId, await deps.record.rules(trx));
    const status = statusForActive(before.status, w.active);
    const written = await users.update(
      before.id,
      {
        ...w.profile,
        userCode: w.userName,
        email: w.email,
        emailVerified: caller.trustEmails && w.email ? true : undefined,
        externalId: w.externalId,
        directManagerId: w.managerId,
        customAttributes,
      },
      trx,
    );
    await users.replaceContacts(before.id, w.contacts, trx);
    if (mainAccountId && mainAccountId !== before.mainAccountId)
      await users.setMainAccount(before.id, mainAccountId, trx);
    if (passwordHash) await deps.credentials.setPassword(before.id, passwordHash, { unlock: false }, trx);
    if (status !== before.status) await users.setStatus(before.id, status, trx);
    const ended = maySignIn(before.status) && !maySignIn(status);
    const result = { ended, emailVerified: Boolean(written?.emailVerified) };
    if (!w.roles && !ended) return result;
    const current = await users.roleNames(before.id, trx);
    if (w.roles) {
      const roles = plan(current, before.mainRole, w.roles, caller);
      await users.replaceRoles(before.id, roles.grantable, caller.grantableRoles, trx);
      if (roles.mainRole !== before.mainRole) await users.update(before.id, { mainRole: roles.mainRole }, trx);
    }
    // An HR system may deactivate or demote a super admin, but not the last one who may sign in (409).
    if (current.includes('super_admin') && (ended || !(await users.roleNames(before.id, trx)).includes('super_admin')))
      await assertSuperAdminRemains(deps.relations, trx);
    return result;
  }

  /** Runs a write of an existing user under its row lock, with If-Match, audit and session ending. */
  async function change(
    id: string,
    ifMatch: string | undefined,
    caller: ScimCaller,
    next: (doc: ScimDoc, user: User) => UserWrite,
  ): Promise<ScimDoc> {
    const { doc, ended } = await deps.transact(async (trx) => {
      const before = await users.lock(id, trx);
      if (!before) throw notFound(`User ${id} not found.`);
      checkIfMatch(ifMatch, before.version);
      const beforeDoc = await docOf(id, trx);
      const w = next(beforeDoc, before);
      const { ended, emailVerified } = await update(w, before, caller, trx);
      const afterDoc = await docOf(id, trx);
      const changes = userChanges(beforeDoc, afterDoc);
      if (emailVerified !== before.emailVerified) changes.emailVerified = [before.emailVerified, emailVerified];
      if (w.password) changes.password = ['(set)', '(set)'];
      await audit.by(caller).record({ action: 'user.updated', targetType: 'user', targetId: id, changes }, trx);
      return { doc: afterDoc, ended };
    });
    if (ended) await deps.identity.endSessions(id);
    return doc;
  }

  return {
    /** The user's document (every attribute: projection is the caller's). */
    get: (id: string, _query?: unknown): Promise<ScimDoc> => docOf(id),

    async list(q: ListQuery): Promise<{ total: number; docs: ScimDoc[] }> {
      const { total, entries } = await directory.list({
        where: q.filter ? compileFilter(q.filter, 'User') : undefined,
        orderBy: compileSort(q.sortBy, q.sortOrder, 'User'),
        offset: q.startIndex - 1,
        limit: q.count,
      });
      const keys = entries.length ? await customKeys() : [];
      return { total, docs: entries.map((e) => toScimUser(e, baseUrl, keys)) };
    },

    async create(body: unknown, caller: ScimCaller): Promise<ScimDoc> {
      const w = fromScimUser(body);
      const roles = plan([], null, w.roles ?? { names: [], primary: null }, caller);
      return deps.transact(async (trx) => {
        const { passwordHash, mainAccountId, organization, manager } = await prepare(w, undefined, trx);
        const rules = await deps.record.rules(trx);
        const customAttributes = checkRecord(w, undefined, mainAccountId, rules);
        const user = await users.create(
          {
            userCode: w.userName,
            email: w.email,
            emailVerified: caller.trustEmails,
            status: statusForActive(undefined, w.active),
            mainRole: roles.mainRole,
            roles: roles.held,
            mainAccountId,
            passwordHash,
            externalId: w.externalId,
            directManagerId: w.managerId,
            profile: w.profile,
            contacts: w.contacts,
            customAttributes,
          },
          trx,
        );
        // Everything the document shows was just written: no need to read it back.
        const doc = toScimUser(
          { user, contacts: w.contacts, roles: roles.held, groups: [], organization, manager },
          baseUrl,
          rules.customFields.map((f) => f.key),
        );
        await audit.by(caller).record(
          {
            action: 'user.created',
            targetType: 'user',
            targetId: user.id,
            changes: { ...userChanges({}, doc), ...(user.emailVerified ? { emailVerified: [null, true] } : {}) },
          },
          trx,
        );
        return doc;
      });
    },

    /**
     * PUT: the document replaces the user; roles and organization stay when it omits them.
     * Read-only attributes it carries (`id`, `meta`, `groups`) are ignored (RFC 7644 §3.5.1).
     */
    replace(id: string, body: unknown, ifMatch: string | undefined, caller: ScimCaller): Promise<ScimDoc> {
      return change(id, ifMatch, caller, () => fromScimUser(body));
    },

    /** PATCH: the operations apply to the current document, then it is written as a whole. */
    patch(id: string, body: unknown, ifMatch: string | undefined, caller: ScimCaller): Promise<ScimDoc> {
      return change(id, ifMatch, caller, (doc) => {
        const patched = applyPatch('User', doc, body);
        const w = fromScimUser(patched);
        const ext = (patched[ENTERPRISE_USER] ?? {}) as ScimDoc;
        // Removing these in a PATCH clears them (a PUT that omits them keeps them).
        if (w.organization === undefined && !ext.organization) w.organization = null;
        if (w.roles === undefined) w.roles = { names: [], primary: null };
        // So do the custom fields (the extension is in the document whenever a value is).
        w.custom ??= {};
        return w;
      });
    },

    /** DELETE: the user becomes `deleted` (a later GET is 404) and every session ends. */
    async remove(id: string, ifMatch: string | undefined, caller: ScimCaller): Promise<void> {
      await deps.transact(async (trx) => {
        const before = await users.lock(id, trx);
        if (!before) throw notFound(`User ${id} not found.`);
        checkIfMatch(ifMatch, before.version);
        await users.setStatus(id, 'deleted', trx);
        await audit.by(caller).record(
          {
            action: 'user.deleted',
            targetType: 'user',
            targetId: id,
            changes: { status: [before.status, 'deleted'] },
          },
          trx,
        );
      });
      await deps.identity.endSessions(id);
    },
  };
}
export type ScimUsersService = ReturnType<typeof createScimUsersService>;
