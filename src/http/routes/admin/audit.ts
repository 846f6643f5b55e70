import { z } from 'zod';
import { fail } from '../../../errors/codes.js';
import type { AuditCursor, StoredAuditEvent } from '../../../repositories/audit-events.js';
import type { AuditLogService } from '../../../services/audit.js';
import { adminRoute, errors } from './route.js';
import { queryTime, timestamp } from './schemas.js';

/** The exact time of an event as PostgreSQL writes it (`2026-11-25 06:08:34.123456+00`). */
const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2}){0,2}|Z)?$/;
/** The cursor is opaque to callers: where the last page ended. */
const encodeCursor = (c: AuditCursor) => Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
function decodeCursor(cursor: string): AuditCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, number];
    if (
      typeof at === 'string' &&
      PG_TIMESTAMP.test(at) &&
      !Number.isNaN(Date.parse(at.slice(0, 10))) &&
      Number.isSafeInteger(id)
    )
      return { at, id };
  } catch {}
  throw fail('request.invalid_cursor');
}

const EVENT = z.object({
  id: z.number().int(),
  at: timestamp,
  actor: z.object({
    type: z.string(),
    id: z.string().nullable(),
    name: z.string().nullable(),
    onBehalfOf: z.string().nullable().describe('The user an impersonating admin acted as'),
  }),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  changes: z
    .record(z.string(), z.tuple([z.unknown(), z.unknown()]))
    .nullable()
    .describe('Field → [old, new]'),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

/** A sign-in attempt as the admin API shows it: the `signin.*` audit event, flattened. */
export const SIGN_IN = z.object({
  id: z.number().int(),
  at: timestamp,
  outcome: z.enum(['succeeded', 'failed']),
  reason: z
    .string()
    .nullable()
    .describe(
      'Why it failed: unknown_identifier, bad_password, locked, status_<status>, expired, no_licence, mfa_failed, bad_passkey, throttled',
    ),
  factor: z.string().nullable().describe('The step that refused it: password, totp, recovery_code, enrolment, passkey'),
  amr: z.array(z.string()).nullable().describe('How the person signed in (RFC 8176), on success'),
  identifier: z.string().nullable().describe('The email or User ID typed'),
  clientId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
const str = (v: unknown) => (typeof v === 'string' ? v : null);
export const toSignIn = (e: StoredAuditEvent): z.infer<typeof SIGN_IN> => {
  const d = e.details ?? {};
  return {
    id: e.id,
    at: new Date(e.at).toISOString(),
    outcome: e.action === 'signin.succeeded' ? 'succeeded' : 'failed',
    reason: str(d.reason),
    factor: str(d.factor),
    amr: Array.isArray(d.amr) ? d.amr.map(String) : null,
    identifier: str(d.identifier),
    clientId: str(d.clientId),
    ip: e.ip,
    userAgent: str(d.userAgent),
  };
};

/** The audit log: who changed what, when, with old and new values; a user's sign-ins. */
export function auditRoutes(deps: { auditLog: AuditLogService }) {
  return [
    adminRoute({
      method: 'get',
      path: '/audit',
      summary: 'Audit events, newest first: filters and keyset paging',
      permission: 'audit.read',
      query: z.object({
        userId: z.string().max(200).optional().describe('The user the events are about (their target)'),
        actorId: z.string().max(200).optional().describe('Who acted'),
        action: z
          .string()
          .regex(/^[\w.-]+(\.\*)?$|^[\w-]+\*$/, 'an action, or a prefix ending in * (user.*)')
          .max(100)
          .optional()
          .describe('Exact, or a prefix: user.*'),
        from: queryTime.optional(),
        to: queryTime.optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
      }),
      responses: {
        200: { description: 'A page', schema: z.object({ items: z.array(EVENT), nextCursor: z.string().nullable() }) },
        ...errors(400, 403),
      },
      async handle(ctx, { query }) {
        const page = await deps.auditLog.page({
          filter: {
            targetId: query.userId,
            actorId: query.actorId,
            action: query.action,
            from: query.from,
            to: query.to,
          },
          limit: query.limit,
          cursor: query.cursor ? decodeCursor(query.cursor) : undefined,
        });
        ctx.body = {
          items: page.events.map((e) => ({
            ...e,
            at: new Date(e.at).toISOString(),
            actor: {
              type: e.actor.type,
              id: e.actor.id ?? null,
              name: e.actor.name ?? null,
              onBehalfOf: e.actor.onBehalfOf ?? null,
            },
          })),
          nextCursor: page.next ? encodeCursor(page.next) : null,
        };
      },
    }),

    adminRoute({
      method: 'get',
      path: '/users/{id}/sign-ins',
      summary: "The user's sign-in attempts, succeeded and failed, newest first: keyset paging",
      permission: 'audit.read',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
      }),
      responses: {
        200: {
          description: 'A page',
          schema: z.object({ items: z.array(SIGN_IN), nextCursor: z.string().nullable() }),
        },
        ...errors(400, 403, 404),
      },
      async handle(ctx, { params, query, by }) {
        const page = await deps.auditLog.signInsOf(params.id, by, {
          limit: query.limit,
          cursor: query.cursor ? decodeCursor(query.cursor) : undefined,
        });
        ctx.body = { items: page.events.map(toSignIn), nextCursor: page.next ? encodeCursor(page.next) : null };
      },
    }),
  ];
}
