import { z } from 'zod';
import type { Operator } from '../domain/operator.js';
import { ROLES, STATUSES } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { mayGrant, type AdminAction } from '../policies/permissions.js';
import type { InvitationsService } from './invitations.js';
import type { LicencesService } from './licences.js';
import type { UserAdminService } from './user-admin.js';
import type { UserAnonymiseService } from './user-anonymise.js';
import type { UserLifecycleService } from './user-lifecycle.js';
import type { UserRelationsService } from './user-relations.js';
import type { UserTagsService } from './user-tags.js';
import type { BulkResult } from '../repositories/bulk-jobs.js';

/**
 * One bulk action: its name, its input, the permission it needs, and what it does
 * to one user, through the service the single-user call uses (so reach, rank,
 * transactions, audit and side effects are the same). `run` throws an AppError to
 * refuse a user (reported as that user's result); `check` refuses the whole request
 * up front (e.g. a role the caller may not grant).
 */
export interface BulkAction<I = unknown> {
  name: string;
  summary: string;
  input: z.ZodType<I>;
  permission: AdminAction;
  check?: (input: I, by: Operator) => void;
  run: (userId: string, input: I, by: Operator) => Promise<unknown>;
  /**
   * The same change for many users at once, set-based, with the same rules and audit
   * (the scale of a directory); used for operators who reach every user.
   */
  many?: (userIds: readonly string[], input: I, by: Operator) => Promise<BulkResult[]>;
}

/** Keeps an entry's input type (the table holds them as BulkAction<unknown>). */
const action = <I>(a: BulkAction<I>) => a as unknown as BulkAction;

const NOTHING = z.object({}).strict();
const TAG_LIST = z.object({ tags: z.array(z.string().trim().min(1).max(100)).min(1).max(100) }).strict();
const GROUP_LIST = z.object({ groupIds: z.array(z.uuid()).min(1).max(100) }).strict();
const ASSIGNMENTS = z
  .object({
    assignments: z
      .array(
        z
          .object({ role: z.enum(ROLES), accountId: z.uuid().nullish(), accountGroupId: z.uuid().nullish() })
          .strict()
          .refine(
            (a) => !(a.accountId && a.accountGroupId),
            'an assignment is scoped to an account or a group, not both',
          ),
      )
      .min(1)
      .max(20),
  })
  .strict();

const mayGrantAll = (roles: readonly (typeof ROLES)[number][], by: Operator) => {
  for (const role of new Set(roles)) assertThat(mayGrant(by.powers, role), fail('admin_api.forbidden_role', { role }));
};

/** What the bulk actions call. */
export interface BulkActionServices {
  users: UserAdminService;
  relations: UserRelationsService;
  invitations: InvitationsService;
  anonymiser: UserAnonymiseService;
  licences: LicencesService;
  lifecycle: UserLifecycleService;
  tags: UserTagsService;
}

/** The bulk actions: adding one is adding an entry. */
export function bulkActions(s: BulkActionServices): readonly BulkAction[] {
  return [
    action({
      name: 'status',
      summary: 'Set the status (one that may not sign in ends the sessions)',
      input: z.object({ status: z.enum(STATUSES).exclude(['deleted']) }).strict(),
      permission: 'users.status',
      run: (id, input, by) => s.users.setStatus(id, input.status, by),
    }),
    action({
      name: 'mainRole',
      summary: 'Change the main role (its unscoped assignment follows)',
      input: z.object({ mainRole: z.enum(ROLES) }).strict(),
      permission: 'users.roles',
      check: (input, by) => mayGrantAll([input.mainRole], by),
      run: (id, input, by) => s.relations.editRoles(id, { mainRole: input.mainRole }, by),
    }),
    action({
      name: 'roles.add',
      summary: 'Add role assignments (unscoped, or scoped to an account or account group)',
      input: ASSIGNMENTS,
      permission: 'users.roles',
      check: (input, by) =>
        mayGrantAll(
          input.assignments.map((a) => a.role),
          by,
        ),
      run: (id, input, by) => s.relations.editRoles(id, { add: input.assignments }, by),
    }),
    action({
      name: 'roles.remove',
      summary: 'Remove role assignments (the main role stays: change it with mainRole)',
      input: ASSIGNMENTS,
      permission: 'users.roles',
      run: (id, input, by) => s.relations.editRoles(id, { remove: input.assignments }, by),
    }),
    action({
      name: 'mainAccount',
      summary: 'Make an account the main employment (added when the user has none by it)',
      input: z.object({ accountId: z.uuid() }).strict(),
      permission: 'users.employments',
      run: (id, input, by) => s.relations.setMainAccount(id, input.accountId, by),
    }),
    action({
      name: 'groups.add',
      summary: 'Add to groups',
      input: GROUP_LIST,
      permission: 'users.groups',
      run: (id, input, by) => s.relations.editGroups(id, { add: input.groupIds }, by),
    }),
    action({
      name: 'groups.remove',
      summary: 'Remove from groups',
      input: GROUP_LIST,
      permission: 'users.groups',
      run: (id, input, by) => s.relations.editGroups(id, { remove: input.groupIds }, by),
    }),
    action({
      name: 'tags.add',
      summary: 'Add tags (kept once)',
      input: TAG_LIST,
      permission: 'users.edit',
      run: (id, input, by) =>
        s.users.update(id, (u) => ({ tags: [...new Set([...u.tags, ...input.tags])] }), undefined, by),
      many: (ids, input, by) => s.tags.editMany(ids, { add: input.tags }, by),
    }),
    action({
      name: 'tags.remove',
      summary: 'Remove tags',
      input: TAG_LIST,
      permission: 'users.edit',
      run: (id, input, by) =>
        s.users.update(id, (u) => ({ tags: u.tags.filter((t) => !input.tags.includes(t)) }), undefined, by),
      many: (ids, input, by) => s.tags.editMany(ids, { remove: input.tags }, by),
    }),
    action({
      name: 'licences.add',
      summary: 'Give a licence (409 licence.no_seats for the users beyond the seats)',
      input: z.object({ key: z.string().trim().min(1).max(64) }).strict(),
      permission: 'users.status',
      run: (id, input, by) => s.licences.assign(id, input.key, by),
    }),
    action({
      name: 'licences.remove',
      summary: 'Take a licence away (the last licence to sign in ends the sessions)',
      input: z.object({ key: z.string().trim().min(1).max(64) }).strict(),
      permission: 'users.status',
      run: (id, input, by) => s.licences.remove(id, input.key, by),
    }),
    action({
      name: 'invite',
      summary: 'Send the invitation now, or schedule it for `at`',
      input: z.object({ at: z.iso.datetime({ offset: true }).optional() }).strict(),
      permission: 'users.invite',
      run: (id, input, by) => s.invitations.invite(id, input.at ? new Date(input.at) : undefined, by),
    }),
    action({
      name: 'passwordReset',
      summary: 'Mail a link to choose a password',
      input: NOTHING,
      permission: 'users.password',
      run: (id, _input, by) => s.users.sendPasswordLink(id, by),
    }),
    action({
      name: 'mfaReset',
      summary: 'Remove every second factor; the next sign-in sets one up again where MFA is required',
      input: NOTHING,
      permission: 'users.mfa',
      run: (id, _input, by) => s.lifecycle.resetMfa(id, by),
    }),
    action({
      name: 'approve',
      summary: 'Make a pending user active and mail them',
      input: NOTHING,
      permission: 'users.status',
      run: (id, _input, by) => s.lifecycle.approve(id, by),
    }),
    action({
      name: 'restore',
      summary: 'Bring a deleted user back as inactive',
      input: NOTHING,
      permission: 'users.delete',
      run: (id, _input, by) => s.lifecycle.restore(id, by),
    }),
    action({
      name: 'anonymise',
      summary: 'Anonymise (cannot be undone)',
      input: NOTHING,
      permission: 'users.anonymise',
      run: (id, _input, by) => s.anonymiser.anonymise(id, by),
    }),
    action({
      name: 'delete',
      summary: 'First delete (status "deleted"); a user deleted already is refused, never removed for good',
      input: NOTHING,
      permission: 'users.delete',
      run: (id, _input, by) => s.users.remove(id, by, { firstOnly: true }),
    }),
  ];
}
