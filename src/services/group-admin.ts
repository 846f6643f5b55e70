import type { Group, GroupMember } from '../domain/group.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { GroupsRepository } from '../repositories/groups.js';
import type { UserSearch } from '../repositories/user-search.js';
import type { Operator } from '../domain/operator.js';
import type { AuditService } from './audit.js';
import type { Transact } from '../db/database.js';
import { uniqueNameConflict } from './unique-names.js';

export const groupNotFound = () => fail('group.not_found');
const nameTaken = () => fail('group.name_taken');

/** Most members a scoped caller (a manager) is shown of one group. */
const SCOPED_MEMBERS_MAX = 10_000;

/**
 * Groups (the ones SCIM provisions) through the admin API. Members are set from
 * the user's side (`PUT /users/{id}/groups`); a group lists the members the
 * caller may reach. Errors: `group.not_found` 404, `group.name_taken` 409.
 */
export function createGroupAdminService(deps: {
  transact: Transact;
  groups: GroupsRepository;
  search: UserSearch;
  audit: AuditService;
}) {
  const { groups, audit, transact } = deps;

  /** The group's members (not deleted) within the caller's reach. */
  async function membersFor(id: string, by: Operator): Promise<GroupMember[]> {
    const members = (await groups.members([id])).get(id) ?? [];
    if (by.powers.scope.all || !members.length) return members;
    const page = await deps.search.page({
      filter: { groupId: id },
      scope: by.powers.scope,
      sort: { key: 'createdAt', descending: false },
      limit: SCOPED_MEMBERS_MAX,
      withTotal: false,
    });
    const reachable = new Set(page.users.map((u) => u.id));
    return members.filter((m) => reachable.has(m.id));
  }

  return {
    list: (query: { q?: string; offset: number; limit: number }) => groups.search(query),

    async get(id: string, by: Operator): Promise<Group & { members: GroupMember[] }> {
      const group = await groups.findById(id);
      assertThat(group, groupNotFound);
      return { ...group, members: await membersFor(id, by) };
    },

    async create(input: { displayName: string; externalId?: string | null }, by: Operator): Promise<Group> {
      return transact(async (trx) => {
        assertThat(!(await groups.displayNameTaken(input.displayName, null, trx)), nameTaken);
        const made = await groups.create({ displayName: input.displayName, externalId: input.externalId ?? null }, trx);
        await audit.by(by).record(
          {
            action: 'group.created',
            targetType: 'group',
            targetId: made.id,
            changes: {
              displayName: [null, made.displayName],
              ...(made.externalId ? { externalId: [null, made.externalId] } : {}),
            },
          },
          trx,
        );
        return made;
      }).catch(uniqueNameConflict('groups_display_name_key', nameTaken));
    },

    async update(
      id: string,
      changes: { displayName?: string; externalId?: string | null },
      by: Operator,
    ): Promise<Group> {
      return transact(async (trx) => {
        const before = await groups.lock(id, trx);
        assertThat(before, groupNotFound);
        const displayName = changes.displayName ?? before.displayName;
        const externalId = changes.externalId === undefined ? before.externalId : changes.externalId;
        if (displayName === before.displayName && externalId === before.externalId) return before;
        if (displayName.toLowerCase() !== before.displayName.toLowerCase())
          assertThat(!(await groups.displayNameTaken(displayName, id, trx)), nameTaken);
        const after = await groups.update(id, { displayName, externalId }, trx);
        const diff: Record<string, [unknown, unknown]> = {};
        if (before.displayName !== after.displayName) diff.displayName = [before.displayName, after.displayName];
        if (before.externalId !== after.externalId) diff.externalId = [before.externalId, after.externalId];
        await audit.by(by).record({ action: 'group.updated', targetType: 'group', targetId: id, changes: diff }, trx);
        return after;
      }).catch(uniqueNameConflict('groups_display_name_key', nameTaken));
    },

    /** Removes the group and its memberships (the users stay). */
    async remove(id: string, by: Operator): Promise<void> {
      await transact(async (trx) => {
        const group = await groups.lock(id, trx);
        assertThat(group, groupNotFound);
        const members = (await groups.members([id], trx)).get(id) ?? [];
        await groups.remove(id, trx);
        await audit.by(by).record(
          {
            action: 'group.deleted',
            targetType: 'group',
            targetId: id,
            changes: { displayName: [group.displayName, null] },
            details: { members: members.length },
          },
          trx,
        );
      });
    },
  };
}
export type GroupAdminService = ReturnType<typeof createGroupAdminService>;
