import { z } from 'zod';
import { fail } from '../../../errors/codes.js';
import type { UserAdminService } from '../../../services/user-admin.js';
import { INVITATION_MESSAGE_MAX } from '../../../services/invitations.js';
import { USER_LICENCE_SCHEMA, userLicenceJson } from './licences.js';
import { adminRoute, created, errors, NO_CONTENT } from './route.js';
import {
  EMPLOYMENT,
  GROUP_REF,
  ROLE_ASSIGNMENT,
  role,
  settableStatus,
  status,
  TAGS,
  USER_FIELDS,
  USER_ROW_FIELDS,
  USER_SCHEMA,
  userJson,
} from './schemas.js';
import { SIGN_IN, toSignIn } from './audit.js';
import { CONTACT_FIELDS, recordJson, toAddresses, toPhones, USER_RECORD } from './record-schemas.js';
import { USER_LIST_QUERY, userListPage } from './user-list.js';

/** `If-Match: "3"` (or `W/"3"`): the version the caller last read; `*` matches any (RFC 9110). */
function ifMatchVersion(header: string | undefined): number | undefined {
  if (!header || header.trim() === '*') return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) throw fail('request.invalid_if_match');
  return Number(m[1]);
}

const CREATE = z
  .object({
    ...USER_FIELDS,
    ...CONTACT_FIELDS,
    email: z.email().max(320).nullable().default(null),
    status: settableStatus.default('new'),
    mainRole: role.default('individual'),
    mainAccountId: z.uuid().optional(),
    password: z.string().min(1).max(1024).optional().describe('Checked against the password policy'),
    invite: z
      .boolean()
      .default(false)
      .describe('Mail the user an invitation at once (a link to choose a password, valid 7 days); needs an email'),
    message: z
      .string()
      .trim()
      .min(1)
      .max(INVITATION_MESSAGE_MAX)
      .optional()
      .describe('A personal message for the invitation mail (plain text); only with invite'),
  })
  .refine((b) => !b.invite || b.email, { path: ['email'], message: 'an invitation needs an email' })
  .refine((b) => b.invite || b.message === undefined, {
    path: ['message'],
    message: 'a message goes with invite: true',
  })
  .refine((b) => !b.invite || ['active', 'new', 'import', 'temporary', 'pending'].includes(b.status), {
    path: ['status'],
    message: 'an inactive or locked user is not invited',
  });
const DETAILS = z.object({
  user: USER_RECORD,
  roles: z.array(ROLE_ASSIGNMENT),
  employments: z.array(EMPLOYMENT),
  groups: z.array(GROUP_REF),
  licences: z.array(USER_LICENCE_SCHEMA),
  lastSignIn: SIGN_IN.nullable().describe('The last successful sign-in'),
  lastFailedSignIn: SIGN_IN.nullable().describe('The last failed sign-in attempt'),
});

/** Users: list, create, read, change, delete (twice), status, password, bulk edit. */
export function userRoutes(deps: { users: UserAdminService; baseUrl: string }) {
  const { users } = deps;
  return [
    adminRoute({
      method: 'get',
      path: '/users',
      summary: 'List users: search, filters, sort and keyset paging',
      permission: 'users.read',
      query: USER_LIST_QUERY,
      responses: {
        200: {
          description: 'A page',
          schema: z.object({
            items: z.array(USER_RECORD.extend(USER_ROW_FIELDS)),
            total: z.number().int(),
            nextCursor: z.string().nullable(),
          }),
        },
        ...errors(400, 403),
      },
      async handle(ctx, { query, by }) {
        ctx.body = await userListPage(users, query, by);
      },
    }),

    adminRoute({
      method: 'post',
      path: '/users',
      summary: 'Create a user (userCode generated when blank); with invite: true, mail them an invitation',
      permission: 'users.create',
      body: CREATE,
      responses: { 201: { description: 'Created', schema: USER_RECORD }, ...errors(400, 403, 404, 409) },
      async handle(ctx, { body, by }) {
        const { mainRole, status: initial, phoneNumbers, addresses, invite, message, ...rest } = body;
        const { user, contacts } = await users.create(
          {
            ...rest,
            role: mainRole,
            status: initial,
            phoneNumbers: toPhones(phoneNumbers),
            addresses: toAddresses(addresses),
          },
          by,
          invite ? { invite: { message } } : {},
        );
        ctx.set('ETag', `W/"${user.version}"`);
        created(ctx, `${deps.baseUrl}/users/${user.id}`, recordJson(user, contacts));
      },
    }),

    adminRoute({
      method: 'post',
      path: '/users/bulk',
      summary: 'Set the same fields on many users, in one transaction (all or none)',
      permission: 'users.bulk',
      body: z.object({
        ids: z.array(z.uuid()).min(1).max(1000),
        set: z
          .object({
            status: status.optional(),
            mainRole: role.optional(),
            mainAccountId: z.uuid().optional(),
            tags: TAGS.optional(),
          })
          .refine(
            (s) => Object.values(s).some((v) => v !== undefined),
            'set at least one of status, mainRole, mainAccountId, tags',
          ),
      }),
      responses: {
        200: { description: 'Done', schema: z.object({ updated: z.number().int() }) },
        ...errors(400, 403, 404, 409),
      },
      async handle(ctx, { body, by }) {
        ctx.body = await users.bulk(body.ids, body.set, by);
      },
    }),

    adminRoute({
      method: 'get',
      path: '/users/{id}',
      summary: 'A user with their phones and addresses, roles, employments, groups, licences and last sign-ins',
      permission: 'users.read',
      responses: { 200: { description: 'The user', schema: DETAILS }, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        const { user, contacts, lastSignIn, lastFailedSignIn, licences, ...found } = await users.get(params.id, by);
        ctx.set('ETag', `W/"${user.version}"`);
        ctx.body = {
          ...found,
          user: recordJson(user, contacts),
          lastSignIn: lastSignIn && toSignIn(lastSignIn),
          lastFailedSignIn: lastFailedSignIn && toSignIn(lastFailedSignIn),
          licences: licences.map(userLicenceJson),
        };
      },
    }),

    adminRoute({
      method: 'patch',
      path: '/users/{id}',
      summary: 'Change profile fields, phones and addresses; with If-Match, only if the version is still the one read',
      permission: 'users.edit',
      body: z.object({ ...USER_FIELDS, ...CONTACT_FIELDS }).strict(),
      responses: {
        200: { description: 'The user as changed', schema: USER_RECORD },
        ...errors(400, 403, 404, 409, 412),
      },
      async handle(ctx, { params, body, by }) {
        const { phoneNumbers, addresses, ...fields } = body;
        const changes = { ...fields, phoneNumbers: toPhones(phoneNumbers), addresses: toAddresses(addresses) };
        const { user, contacts } = await users.update(
          params.id,
          changes,
          ifMatchVersion(ctx.get('if-match') || undefined),
          by,
        );
        ctx.set('ETag', `W/"${user.version}"`);
        ctx.body = recordJson(user, contacts);
      },
    }),

    adminRoute({
      method: 'delete',
      path: '/users/{id}',
      summary: 'First delete: status "deleted". Second delete: the user is removed for good',
      permission: 'users.delete',
      responses: {
        200: { description: 'Marked deleted', schema: USER_SCHEMA },
        ...NO_CONTENT,
        ...errors(403, 404, 409),
      },
      async handle(ctx, { params, by }) {
        const result = await users.remove(params.id, by);
        if (result.user) ctx.body = userJson(result.user);
        else ctx.status = 204;
      },
    }),

    adminRoute({
      method: 'post',
      path: '/users/{id}/status',
      summary: 'Set the status (deactivate, reactivate…); one that may not sign in ends every session',
      permission: 'users.status',
      body: z.object({ status: settableStatus }),
      responses: { 200: { description: 'The user', schema: USER_SCHEMA }, ...errors(400, 403, 404, 409) },
      async handle(ctx, { params, body, by }) {
        ctx.body = userJson(await users.setStatus(params.id, body.status, by));
      },
    }),

    adminRoute({
      method: 'post',
      path: '/users/{id}/password',
      summary: 'Set a password (under the policy), or mail a reset link with {"sendLink": true}',
      permission: 'users.password',
      body: z.union([
        z.object({ password: z.string().min(1).max(1024) }).strict(),
        z.object({ sendLink: z.literal(true) }).strict(),
      ]),
      responses: { ...NO_CONTENT, ...errors(400, 403, 404, 409) },
      async handle(ctx, { params, body, by }) {
        if ('password' in body) await users.setPassword(params.id, body.password, by);
        else await users.sendPasswordLink(params.id, by);
        ctx.status = 204;
      },
    }),
  ];
}
