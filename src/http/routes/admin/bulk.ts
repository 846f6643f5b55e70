import { z } from 'zod';
import type { BulkJob, BulkResult } from '../../../repositories/bulk-jobs.js';
import type { UserBulkService } from '../../../services/user-bulk.js';
import { fail } from '../../../errors/codes.js';
import { defined } from '../../../util/defined.js';
import { adminRoute, errors } from './route.js';
import { timestamp, toUserFilter, USER_FILTER, withCustomFilters } from './schemas.js';

/** The users list's filters, as an object (values as in the query string, or JSON lists and booleans). */
const { sort: _sort, ...FILTER_FIELDS } = USER_FILTER;
const FILTER = withCustomFilters(z.object(FILTER_FIELDS).strict()).describe(
  'The parameters of GET /users (no sort), e.g. {"status": "active", "tag": "leaver", "cf.department": "Sales"}',
);

const TARGET = {
  ids: z.array(z.uuid()).min(1).max(10_000).optional().describe('The users to act on (or give filter)'),
  filter: FILTER.optional(),
  expectedCount: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('How many users the caller expects (the total the list showed); required with filter'),
};

const RESULT = z.object({
  id: z.uuid(),
  ok: z.boolean(),
  error: z.string().optional().describe('Why this user was not changed: an error code (area.reason)'),
  message: z.string().optional(),
});
const resultJson = (r: BulkResult) =>
  r.errorCode ? { id: r.userId, ok: false, error: r.errorCode, message: r.message ?? '' } : { id: r.userId, ok: true };

const COUNTS = {
  total: z.number().int().describe('Users the action was asked to act on'),
  processed: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int().describe('Users refused (their results say why)'),
};
const OUTCOME = z.object({ action: z.string(), ...COUNTS, results: z.array(RESULT) });
const JOB_SCHEMA = z.object({
  id: z.uuid(),
  action: z.string(),
  input: z.record(z.string(), z.unknown()),
  status: z.enum(['running', 'succeeded', 'failed']),
  ...COUNTS,
  error: z.string().nullable(),
  errorCode: z
    .string()
    .nullable()
    .describe('bulk.interrupted: its server stopped (the users done are in its results), or server.error'),
  createdAt: timestamp,
  finishedAt: timestamp.nullable(),
});
const jobJson = (j: BulkJob) => ({
  id: j.id,
  action: j.action,
  input: j.input,
  status: j.status,
  total: j.total,
  processed: j.processed,
  succeeded: j.succeeded,
  failed: j.failed,
  error: j.error,
  errorCode: j.errorCode,
  createdAt: new Date(j.createdAt).toISOString(),
  finishedAt: j.finishedAt && new Date(j.finishedAt).toISOString(),
});

/** The results' cursor: the sequence number of the last one given. */
const RESULTS_QUERY = z.object({
  failed: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true: only the users refused'),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  cursor: z.string().max(20).optional().describe('nextCursor of the previous page'),
});
const afterSeq = (cursor: string | undefined) => {
  if (cursor === undefined) return 0;
  if (!/^\d{1,9}$/.test(cursor)) throw fail('request.invalid_cursor');
  return Number(cursor);
};

/**
 * Bulk actions on users: one route for every action of the table (services/bulk-actions.ts),
 * on listed ids or on every user a list filter matches; large ones as jobs.
 */
export function bulkRoutes(deps: { bulk: UserBulkService; baseUrl: string }) {
  const { bulk } = deps;
  const [first, ...rest] = bulk.actions.map((a) =>
    z
      .object({
        action: z.literal(a.name).describe(a.summary),
        input: z.preprocess((v) => v ?? {}, a.input).describe(`${a.name}: ${a.summary} (permission ${a.permission})`),
        ...TARGET,
      })
      .strict(),
  );
  const BODY = z
    .discriminatedUnion('action', [defined(first, 'a bulk action'), ...rest])
    .refine((b) => (b.ids === undefined) !== (b.filter === undefined), 'give either ids or filter')
    .refine(
      (b) => b.filter === undefined || b.expectedCount !== undefined,
      'a filter needs expectedCount: the number of users the list showed',
    );
  return [
    adminRoute({
      method: 'post',
      path: '/users/bulk-actions',
      summary: `A bulk action on listed users or on every user a list filter matches (${bulk.actions.map((a) => a.name).join(', ')}); each user reported`,
      permission: 'users.read',
      body: BODY,
      responses: {
        200: { description: 'Done while waiting: every user taken, with their outcome', schema: OUTCOME },
        202: { description: 'Large: running as a job (follow Location)', schema: JOB_SCHEMA },
        ...errors(400, 403, 409),
      },
      async handle(ctx, { body, by }) {
        const done = await bulk.run(
          {
            action: body.action,
            input: body.input,
            target: body.filter ? { filter: toUserFilter(body.filter) } : { ids: body.ids ?? [] },
            expectedCount: body.expectedCount,
          },
          by,
        );
        if ('job' in done) {
          ctx.status = 202;
          ctx.set('Location', `${deps.baseUrl}/bulk-jobs/${done.job.id}`);
          ctx.body = jobJson(done.job);
          return;
        }
        const { results, ...counts } = done.outcome;
        ctx.body = { ...counts, results: results.map(resultJson) };
      },
    }),

    adminRoute({
      method: 'get',
      path: '/bulk-jobs',
      summary: 'The latest bulk action jobs, newest first (50)',
      permission: 'users.read',
      responses: { 200: { description: 'The jobs', schema: z.object({ items: z.array(JOB_SCHEMA) }) }, ...errors(403) },
      async handle(ctx, { by }) {
        ctx.body = { items: (await bulk.list(by)).map(jobJson) };
      },
    }),

    adminRoute({
      method: 'get',
      path: '/bulk-jobs/{id}',
      summary: 'A bulk action job: status and counters (they move while it runs)',
      permission: 'users.read',
      responses: { 200: { description: 'The job', schema: JOB_SCHEMA }, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        ctx.body = jobJson(await bulk.get(params.id, by));
      },
    }),

    adminRoute({
      method: 'get',
      path: '/bulk-jobs/{id}/results',
      summary: "A bulk action job's per-user results, in the order the users were taken (paged)",
      permission: 'users.read',
      query: RESULTS_QUERY,
      responses: {
        200: {
          description: 'A page of results',
          schema: z.object({ items: z.array(RESULT), nextCursor: z.string().nullable() }),
        },
        ...errors(400, 403, 404),
      },
      async handle(ctx, { params, query, by }) {
        const page = await bulk.results(
          params.id,
          { afterSeq: afterSeq(query.cursor), limit: query.limit, failedOnly: query.failed },
          by,
        );
        const last = page.results.at(-1);
        ctx.body = {
          items: page.results.map(resultJson),
          nextCursor: page.more && last ? String(last.seq) : null,
        };
      },
    }),
  ];
}
