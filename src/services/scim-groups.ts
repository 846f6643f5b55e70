import type { Executor, Transact } from '../db/database.js';
import type { Group } from '../domain/group.js';
import type { GroupsRepository } from '../repositories/groups.js';
import { invalidValue, notFound } from '../scim/errors.js';
import { checkIfMatch } from '../scim/etag.js';
import { compileFilter, compileSort } from '../scim/filter.js';
import { fromScimGroup, toScimGroup, type GroupWrite } from '../scim/group-mapper.js';
import type { ListQuery } from '../scim/list-query.js';
import { applyPatch } from '../scim/patch.js';
import { returnsAttribute } from '../scim/projection.js';
import type { ScimDoc } from '../scim/schemas.js';
import type { AuditService } from './audit.js';
import type { ScimCaller } from './scim-users.js';

export interface ScimGroupsDeps {
  transact: Transact;
  groups: GroupsRepository;
  audit: AuditService;
  baseUrl: string;
}

/** SCIM Groups: a name (unique: its index answers 409), an external id and member users. */
export function createScimGroupsService(deps: ScimGroupsDeps) {
  const { groups, audit, baseUrl } = deps;

  const docOf = async (group: Group, trx?: Executor, withMembers = true) =>
    toScimGroup(group, withMembers ? (await groups.members([group.id], trx)).get(group.id) : undefined, baseUrl);

  /** Writes name, external id and members; returns the member ids added and removed. */
  async function write(group: Group | undefined, w: GroupWrite, current: string[], trx: Executor) {
    const wanted = w.memberIds ?? [];
    const added = wanted.filter((id) => !current.includes(id));
    const removed = current.filter((id) => !wanted.includes(id));
    const existing = await groups.existingUsers(added, trx);
    const unknown = added.filter((id) => !existing.has(id));
    if (unknown.length) throw invalidValue(`Members must be users: no user ${unknown.slice(0, 5).join(', ')}.`);
    const saved = group ? await groups.update(group.id, w, trx) : await groups.create(w, trx);
    await groups.addMembers(saved.id, added, trx);
    await groups.removeMembers(saved.id, removed, trx);
    return { saved, added, removed };
  }

  async function change(
    id: string,
    ifMatch: string | undefined,
    caller: ScimCaller,
    next: (doc: ScimDoc) => GroupWrite,
  ): Promise<ScimDoc> {
    return deps.transact(async (trx) => {
      const group = await groups.lock(id, trx);
      if (!group) throw notFound(`Group ${id} not found.`);
      checkIfMatch(ifMatch, group.version);
      const before = await docOf(group, trx);
      const current = ((before.members ?? []) as { value: string }[]).map((m) => m.value);
      const w = next(before);
      const { saved, added, removed } = await write(group, w, current, trx);
      const changes: Record<string, [unknown, unknown]> = {};
      if (group.displayName !== saved.displayName) changes.displayName = [group.displayName, saved.displayName];
      if (group.externalId !== saved.externalId) changes.externalId = [group.externalId, saved.externalId];
      await audit.by(caller).record(
        {
          action: 'group.updated',
          targetType: 'group',
          targetId: id,
          changes,
          details: { membersAdded: added, membersRemoved: removed },
        },
        trx,
      );
      return docOf(saved, trx);
    });
  }

  return {
    async get(id: string, q: { attributes?: string; excludedAttributes?: string } = {}): Promise<ScimDoc> {
      const group = await groups.findById(id);
      if (!group) throw notFound(`Group ${id} not found.`);
      return docOf(group, undefined, returnsAttribute('Group', 'members', q));
    },

    async list(q: ListQuery): Promise<{ total: number; docs: ScimDoc[] }> {
      const { total, groups: page } = await groups.list({
        where: q.filter ? compileFilter(q.filter, 'Group') : undefined,
        orderBy: compileSort(q.sortBy, q.sortOrder, 'Group'),
        offset: q.startIndex - 1,
        limit: q.count,
      });
      const members = returnsAttribute('Group', 'members', q) ? await groups.members(page.map((g) => g.id)) : undefined;
      return { total, docs: page.map((g) => toScimGroup(g, members?.get(g.id), baseUrl)) };
    },

    async create(body: unknown, caller: ScimCaller): Promise<ScimDoc> {
      const w = fromScimGroup(body);
      return deps.transact(async (trx) => {
        const { saved, added } = await write(undefined, w, [], trx);
        await audit.by(caller).record(
          {
            action: 'group.created',
            targetType: 'group',
            targetId: saved.id,
            changes: { displayName: [null, saved.displayName] },
            details: { membersAdded: added },
          },
          trx,
        );
        return docOf(saved, trx);
      });
    },

    /** PUT replaces the group, its member list included. */
    replace: (id: string, body: unknown, ifMatch: string | undefined, caller: ScimCaller) =>
      change(id, ifMatch, caller, () => fromScimGroup(body)),

    patch: (id: string, body: unknown, ifMatch: string | undefined, caller: ScimCaller) =>
      change(id, ifMatch, caller, (doc) => {
        const w = fromScimGroup(applyPatch('Group', doc, body));
        return { ...w, memberIds: w.memberIds ?? [] };
      }),

    async remove(id: string, ifMatch: string | undefined, caller: ScimCaller): Promise<void> {
      await deps.transact(async (trx) => {
        const group = await groups.lock(id, trx);
        if (!group) throw notFound(`Group ${id} not found.`);
        checkIfMatch(ifMatch, group.version);
        await groups.remove(id, trx);
        await audit.by(caller).record(
          {
            action: 'group.deleted',
            targetType: 'group',
            targetId: id,
            changes: { displayName: [group.displayName, null] },
          },
          trx,
        );
      });
    },
  };
}
export type ScimGroupsService = ReturnType<typeof createScimGroupsService>;
