import type { Executor } from '../db/database.js';
import { GUEST_ACCOUNT_ID } from '../domain/account.js';
import type { Role, User } from '../domain/user.js';
import { planRoles, RoleNotGrantable, statusForActive } from '../policies/provisioned-roles.js';
import { maySignIn } from '../policies/status.js';
import type { AccountsRepository } from '../repositories/accounts.js';
import type { GroupsRepository } from '../repositories/groups.js';
import type { UserChanges, UsersRepository } from '../repositories/users.js';
import type { UserValuesRepository } from '../repositories/user-values.js';
import { invalidValue, notFound, ScimError, uniqueness } from '../scim/errors.js';
import { compileFilter, compileSort } from '../scim/filter.js';
import { applyPatch } from '../scim/patch.js';
import { fromScimUser, toScimUser, userChanges, type ScimDoc, type ScimUserRecord, type UserWrite } from '../scim/user-mapper.js';
import { ENTERPRISE_USER } from '../scim/schemas.js';
import { checkIfMatch } from '../scim/etag.js';
import type { ListQuery } from '../scim/list-query.js';
import type { CredentialsRepository } from '../repositories/credentials.js';
import type { Actor, AuditService } from './audit.js';
import type { IdentityService, Transact } from './identity.js';
import type { PasswordHasher } from './password-hasher.js';

/** Who is provisioning: the audit actor and the roles it may grant. */
export interface ScimCaller {
  actor: Actor;
  grantableRoles: readonly Role[];
  ip?: string;
}

export interface ScimUsersDeps {
  transact: Transact;
  users: UsersRepository;
  credentials: CredentialsRepository;
  values: UserValuesRepository;
  groups: GroupsRepository;
  accounts: AccountsRepository;
  identity: IdentityService;
  hasher: PasswordHasher;
  audit: AuditService;
  baseUrl: string;
}

/** SCIM Users on the domain: every write in one transaction, audited with the caller. */
export function createScimUsersService(deps: ScimUsersDeps) {
  const { users, values, groups, accounts, audit, baseUrl } = deps;

  async function records(list: User[], trx?: Executor): Promise<ScimUserRecord[]> {
    const ids = list.map((u) => u.id);
    const contacts = await values.forUsers(ids, trx);
    const roles = await users.roleNamesOf(ids, trx);
    const groupsOf = await groups.ofUsers(ids, trx);
    const orgs = await accounts.namesByIds(list.flatMap((u) => (u.mainAccountId && u.mainAccountId !== GUEST_ACCOUNT_ID ? [u.mainAccountId] : [])), trx);
    const managers = await users.displayNames(list.flatMap((u) => (u.directManagerId ? [u.directManagerId] : [])), trx);
    return list.map((user) => ({
      user,
      contacts: contacts.get(user.id)!,
      roles: roles.get(user.id)!,
      groups: groupsOf.get(user.id)!,
      organization: (user.mainAccountId && orgs.get(user.mainAccountId)) || null,
      manager: user.directManagerId && managers.has(user.directManagerId) ? { id: user.directManagerId, displayName: managers.get(user.directManagerId)! } : null,
    }));
  }

  const docOf = async (user: User, trx?: Executor) => toScimUser((await records([user], trx))[0]!, baseUrl);

  async function checkUnique(w: UserWrite, before: User | undefined, trx: Executor) {
    if (before?.userCode.toLowerCase() !== w.userName.toLowerCase() && (await users.isTaken('user_code', w.userName, trx))) {
      throw uniqueness(`userName "${w.userName}" is already taken.`);
    }
    if (w.email && before?.email?.toLowerCase() !== w.email.toLowerCase() && (await users.isTaken('email', w.email, trx))) {
      throw uniqueness(`The email "${w.email}" belongs to another user.`);
    }
  }

  async function checkManager(managerId: string | null, selfId: string | undefined, trx: Executor) {
    if (!managerId) return;
    if (managerId === selfId) throw invalidValue('A user cannot be their own manager.');
    if (!(await users.displayNames([managerId], trx)).size) throw invalidValue(`manager "${managerId}" is not a user.`);
  }

  async function setRoles(user: User, requested: UserWrite['roles'], caller: ScimCaller, trx: Executor) {
    if (!requested) return;
    try {
      const current = (await users.roleNamesOf([user.id], trx)).get(user.id)!;
      const plan = planRoles({ current, currentMain: user.mainRole, requested: requested.names, primary: requested.primary, grantable: caller.grantableRoles });
      await users.replaceRoles(user.id, plan.grantable, caller.grantableRoles, trx);
      if (plan.mainRole !== user.mainRole) await users.update(user.id, { mainRole: plan.mainRole }, trx);
    } catch (err) {
      if (err instanceof RoleNotGrantable) throw new ScimError(403, undefined, `This token may not grant the role(s): ${err.roles.join(', ')}.`);
      throw err;
    }
  }

  /**
   * Writes a validated document: the user's columns, contacts, main account,
   * roles and status. Returns the user and whether they were just deactivated.
   */
  async function write(w: UserWrite, before: User | undefined, caller: ScimCaller, trx: Executor): Promise<{ user: User; ended: boolean }> {
    await checkUnique(w, before, trx);
    await checkManager(w.managerId, before?.id, trx);
    if (w.password) await deps.identity.checkPassword(w.password, { email: w.email, ...w.profile }, before?.id, trx);
    const passwordHash = w.password ? await deps.hasher.hash(w.password) : undefined;
    const mainAccountId = w.organization === undefined ? undefined : w.organization === null ? GUEST_ACCOUNT_ID : await accounts.findOrCreateByName(w.organization, trx);
    const status = statusForActive(before?.status, w.active);

    let user: User;
    if (!before) {
      user = await users.create(
        { userCode: w.userName, email: w.email, status, mainRole: 'individual', mainAccountId, passwordHash, externalId: w.externalId, directManagerId: w.managerId, profile: w.profile, contacts: w.contacts },
        trx,
      );
    } else {
      const changes: UserChanges = { ...w.profile, userCode: w.userName, email: w.email, externalId: w.externalId, directManagerId: w.managerId };
      user = (await users.update(before.id, changes, trx))!;
      await values.replace(user.id, w.contacts, trx);
      if (mainAccountId && mainAccountId !== before.mainAccountId) await users.setMainAccount(user.id, mainAccountId, trx);
      if (passwordHash) await deps.credentials.setPassword(user.id, passwordHash, { unlock: false }, trx);
      if (status !== before.status) await users.setStatus(user.id, status, trx);
    }
    await setRoles(user, w.roles, caller, trx);
    return { user: (await users.findById(user.id, trx))!, ended: Boolean(before && maySignIn(before.status) && !maySignIn(status)) };
  }

  /** Runs a write of an existing user under its row lock, with If-Match, audit and session ending. */
  async function change(id: string, ifMatch: string | undefined, caller: ScimCaller, next: (doc: ScimDoc, user: User) => UserWrite): Promise<ScimDoc> {
    const { doc, ended, userId } = await deps.transact(async (trx) => {
      const before = await users.lock(id, trx);
      if (!before) throw notFound(`User ${id} not found.`);
      checkIfMatch(ifMatch, before.version);
      const beforeDoc = await docOf(before, trx);
      const w = next(beforeDoc, before);
      const { user, ended } = await write(w, before, caller, trx);
      const afterDoc = await docOf(user, trx);
      const changes = userChanges(beforeDoc, afterDoc);
      if (w.password) changes.password = ['(set)', '(set)'];
      await audit.record({ actor: caller.actor, ip: caller.ip, action: 'user.updated', targetType: 'user', targetId: user.id, changes }, trx);
      return { doc: afterDoc, ended, userId: user.id };
    });
    if (ended) await deps.identity.endSessions(userId);
    return doc;
  }

  return {
    records,

    /** The user's document (every attribute: projection is the caller's). */
    async get(id: string, _query?: unknown): Promise<ScimDoc> {
      const user = await users.findById(id);
      if (!user || user.status === 'deleted') throw notFound(`User ${id} not found.`);
      return docOf(user);
    },

    async list(q: ListQuery): Promise<{ total: number; docs: ScimDoc[] }> {
      const { total, users: page } = await users.list({
        where: q.filter ? compileFilter(q.filter, 'User') : undefined,
        orderBy: compileSort(q.sortBy, q.sortOrder, 'User'),
        offset: q.startIndex - 1,
        limit: q.count,
      });
      return { total, docs: (await records(page)).map((r) => toScimUser(r, baseUrl)) };
    },

    async create(body: unknown, caller: ScimCaller): Promise<ScimDoc> {
      const w = fromScimUser(body);
      return deps.transact(async (trx) => {
        const { user } = await write(w, undefined, caller, trx);
        const doc = await docOf(user, trx);
        const changes = userChanges({}, doc);
        await audit.record({ actor: caller.actor, ip: caller.ip, action: 'user.created', targetType: 'user', targetId: user.id, changes }, trx);
        return doc;
      });
    },

    /** PUT: the document replaces the user; roles and organization stay when it omits them. */
    replace(id: string, body: unknown, ifMatch: string | undefined, caller: ScimCaller): Promise<ScimDoc> {
      return change(id, ifMatch, caller, (_doc, before) => {
        const w = fromScimUser(body);
        const givenId = (body as ScimDoc).id;
        if (givenId !== undefined && givenId !== before.id) throw new ScimError(400, 'mutability', '"id" cannot be changed.');
        return w;
      });
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
        await audit.record({ actor: caller.actor, ip: caller.ip, action: 'user.deleted', targetType: 'user', targetId: id, changes: { status: [before.status, 'deleted'] } }, trx);
      });
      await deps.identity.endSessions(id);
    },
  };
}
export type ScimUsersService = ReturnType<typeof createScimUsersService>;
