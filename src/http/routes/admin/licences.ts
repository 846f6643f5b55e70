import { z } from 'zod';
import { LICENCE_KEY, LICENCE_KEY_MAX, type LicenceType, type UserLicence } from '../../../domain/licence.js';
import type { LicencesService } from '../../../services/licences.js';
import { name } from './directory-schemas.js';
import { adminRoute, created, errors, NO_CONTENT } from './route.js';
import { timestamp } from './schemas.js';

const KEY = z
  .string()
  .trim()
  .min(1)
  .max(LICENCE_KEY_MAX)
  .regex(LICENCE_KEY, 'lower-case letters, digits, _ . - (starting with a letter or digit)');
const SEATS = z.number().int().min(0).max(10_000_000).nullable().describe('At most this many holders; null: no limit');
const REQUIRED = z
  .boolean()
  .describe('Sign-in needs at least one licence of a type marked so (when any type is marked so)');

export const LICENCE_TYPE_SCHEMA = z.object({
  key: z.string(),
  name: z.string(),
  seats: z.number().int().nullable(),
  seatsUsed: z.number().int().describe('Users (not deleted) who hold it'),
  requiredToSignIn: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.number().int(),
});
export const USER_LICENCE_SCHEMA = z.object({
  key: z.string(),
  name: z.string(),
  requiredToSignIn: z.boolean(),
  assignedAt: timestamp,
});

const typeJson = (t: LicenceType) => ({
  key: t.key,
  name: t.name,
  seats: t.seats,
  seatsUsed: t.seatsUsed,
  requiredToSignIn: t.requiredToSignIn,
  createdAt: new Date(t.createdAt).toISOString(),
  updatedAt: new Date(t.updatedAt).toISOString(),
  version: t.version,
});
export const userLicenceJson = (l: UserLicence) => ({ ...l, assignedAt: new Date(l.assignedAt).toISOString() });
const USER_LICENCES = z.object({ licences: z.array(USER_LICENCE_SCHEMA) });

/**
 * Licence types and the licences users hold. Types are directory objects, as
 * groups are: managers read them, admins change them (`directory.*`). Giving or
 * taking a user's licence can decide whether they may sign in, as a status does:
 * it takes `users.status` (hr and above).
 */
export function licenceRoutes(deps: { licences: LicencesService; baseUrl: string }) {
  const { licences } = deps;
  return [
    adminRoute({
      method: 'get',
      path: '/licences',
      summary: 'List licence types with their seats used',
      permission: 'directory.read',
      responses: {
        200: { description: 'Every type, by key', schema: z.object({ items: z.array(LICENCE_TYPE_SCHEMA) }) },
        ...errors(403),
      },
      async handle(ctx) {
        ctx.body = { items: (await licences.listTypes()).map(typeJson) };
      },
    }),

    adminRoute({
      method: 'post',
      path: '/licences',
      summary: 'Create a licence type',
      permission: 'directory.write',
      body: z
        .object({ key: KEY, name: name(), seats: SEATS.optional(), requiredToSignIn: REQUIRED.optional() })
        .strict(),
      responses: { 201: { description: 'Created', schema: LICENCE_TYPE_SCHEMA }, ...errors(400, 403, 409) },
      async handle(ctx, { body, by }) {
        const made = await licences.createType(body, by);
        created(ctx, `${deps.baseUrl}/licences/${made.key}`, typeJson(made));
      },
    }),

    adminRoute({
      method: 'get',
      path: '/licences/{key}',
      summary: 'A licence type with its seats used',
      permission: 'directory.read',
      responses: { 200: { description: 'The type', schema: LICENCE_TYPE_SCHEMA }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        ctx.body = typeJson(await licences.getType(params.key));
      },
    }),

    adminRoute({
      method: 'patch',
      path: '/licences/{key}',
      summary:
        'Rename a licence type, change its seats (not below those used) or whether it is required to sign in (the key stays)',
      permission: 'directory.write',
      body: z
        .object({ name: name().optional(), seats: SEATS.optional(), requiredToSignIn: REQUIRED.optional() })
        .strict()
        .refine((b) => Object.keys(b).length > 0, 'give name, seats or requiredToSignIn'),
      responses: {
        200: { description: 'The type as changed', schema: LICENCE_TYPE_SCHEMA },
        ...errors(400, 403, 404, 409),
      },
      async handle(ctx, { params, body, by }) {
        ctx.body = typeJson(await licences.updateType(params.key, body, by));
      },
    }),

    adminRoute({
      method: 'delete',
      path: '/licences/{key}',
      summary: 'Delete a licence type and every licence of it',
      permission: 'directory.write',
      responses: { ...NO_CONTENT, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        await licences.deleteType(params.key, by);
        ctx.status = 204;
      },
    }),

    adminRoute({
      method: 'get',
      path: '/users/{id}/licences',
      summary: "A user's licences",
      permission: 'users.read',
      responses: { 200: { description: 'By key', schema: USER_LICENCES }, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        ctx.body = { licences: (await licences.ofUser(params.id, by)).map(userLicenceJson) };
      },
    }),

    adminRoute({
      method: 'post',
      path: '/users/{id}/licences',
      summary: 'Give a user a licence (409 licence.no_seats when every seat is taken; held already: unchanged)',
      permission: 'users.status',
      body: z.object({ key: KEY }).strict(),
      responses: {
        200: { description: "The user's licences now", schema: USER_LICENCES },
        ...errors(400, 403, 404, 409),
      },
      async handle(ctx, { params, body, by }) {
        await licences.assign(params.id, body.key, by);
        ctx.body = { licences: (await licences.ofUser(params.id, by)).map(userLicenceJson) };
      },
    }),

    adminRoute({
      method: 'delete',
      path: '/users/{id}/licences/{key}',
      summary: "Take a user's licence away; without a licence required to sign in left, their sessions and tokens end",
      permission: 'users.status',
      responses: { ...NO_CONTENT, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        await licences.remove(params.id, params.key, by);
        ctx.status = 204;
      },
    }),
  ];
}
