import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import { assertThat } from '../../../errors/app-error.js';
import { fail } from '../../../errors/codes.js';
import { IMPORT_KEYS, IMPORT_MODES } from '../../../domain/import-job.js';
import { IMPORT_COLUMNS } from '../../../policies/import-row.js';
import type { ImportJob } from '../../../repositories/import-jobs.js';
import type { UserImportService } from '../../../services/user-import.js';
import { adminRoute, errors } from './route.js';
import { timestamp } from './schemas.js';
import { spoolBody } from '../../middleware/body.js';

const JOB_SCHEMA = z.object({
  id: z.uuid(),
  status: z.enum(['running', 'succeeded', 'failed']),
  key: z.enum(IMPORT_KEYS),
  mode: z.enum(IMPORT_MODES),
  dryRun: z.boolean(),
  total: z.number().int().describe('Data rows read'),
  processed: z.number().int().describe('Rows checked (and written when good)'),
  created: z.number().int(),
  updated: z.number().int().describe('Rows that matched a user (also those that changed nothing)'),
  failed: z.number().int().describe('Bad rows: reported in errors.csv and skipped'),
  error: z.string().nullable().describe('Why the whole import failed (then no user of the file was written)'),
  errorCode: z
    .string()
    .nullable()
    .describe(
      "The failure's code: import.interrupted (its server stopped or lost the database: run the file again), import.invalid_csv, import.incomplete, import.too_many_rows, import.database_error, import.server_error",
    ),
  createdAt: timestamp,
  finishedAt: timestamp.nullable(),
});

const jobJson = (j: ImportJob) => ({
  id: j.id,
  status: j.status,
  key: j.key,
  mode: j.mode,
  dryRun: j.dryRun,
  total: j.total,
  processed: j.processed,
  created: j.created,
  updated: j.updated,
  failed: j.failed,
  error: j.error,
  errorCode: j.errorCode,
  createdAt: new Date(j.createdAt).toISOString(),
  finishedAt: j.finishedAt && new Date(j.finishedAt).toISOString(),
});

const START = z.object({
  key: z.enum(IMPORT_KEYS).describe('The column that finds existing users (case-insensitive)'),
  mode: z.enum(IMPORT_MODES).describe('add: only new users; update: only existing ones; upsert: either'),
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Check everything and count, write no user'),
});

/** The largest CSV an import takes (a million rows of a dozen columns fit). */
const MAX_UPLOAD_BYTES = 256 * 2 ** 20;

/** CSV import of users: start one (it runs while the request waits), follow it, read its row errors. */
export function importRoutes(deps: { imports: UserImportService }) {
  const { imports } = deps;
  return [
    adminRoute({
      method: 'post',
      path: '/imports',
      summary: 'Import users from CSV (one transaction; bad rows are reported and skipped)',
      permission: 'users.import',
      query: START,
      body: {
        contentType: 'text/csv',
        description: `A header row naming the columns (any case), then one user per row. Columns: ${IMPORT_COLUMNS.join(', ')}. Tags and licences (keys) are separated by ";". No passwords.`,
      },
      responses: {
        201: {
          description:
            'The finished job (status "failed" with an error when the file broke off part-way: nothing was written)',
          schema: JOB_SCHEMA,
        },
        ...errors(400, 403, 413, 415),
      },
      async handle(ctx, { query, by }) {
        assertThat(ctx.is('text/csv'), fail('request.unsupported_media_type', { expected: 'csv' }));
        const upload = await spoolBody(ctx, MAX_UPLOAD_BYTES);
        const job = await imports.run(upload.open(), query, by).finally(upload.remove);
        ctx.status = 201;
        ctx.set('Location', `${ctx.origin}${ctx.path}/${job.id}`);
        ctx.body = jobJson(job);
      },
    }),

    adminRoute({
      method: 'get',
      path: '/imports',
      summary: 'The latest import jobs, newest first (50)',
      permission: 'users.import',
      responses: { 200: { description: 'The jobs', schema: z.object({ items: z.array(JOB_SCHEMA) }) }, ...errors(403) },
      async handle(ctx) {
        ctx.body = { items: (await imports.list()).map(jobJson) };
      },
    }),

    adminRoute({
      method: 'get',
      path: '/imports/{id}',
      summary:
        'An import job and its counters (rows read, checked and bad move while it runs; created and updated are set when its users commit)',
      permission: 'users.import',
      responses: { 200: { description: 'The job', schema: JOB_SCHEMA }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        ctx.body = jobJson(await imports.get(params.id));
      },
    }),

    adminRoute({
      method: 'get',
      path: '/imports/{id}/errors.csv',
      summary: 'The bad rows of an import: row (1 = first data row), column, code, message',
      permission: 'users.import',
      responses: { 200: { description: 'CSV', contentType: 'text/csv' }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        const job = await imports.get(params.id);
        const rows = Readable.from(
          (async function* () {
            for await (const page of imports.errors(job.id))
              yield* page.map((e) => [e.row, e.column ?? '', e.code, e.message]);
          })(),
        );
        const csv = stringify({ header: true, columns: ['row', 'column', 'code', 'message'] });
        pipeline(rows, csv, () => {});
        ctx.attachment(`import-${job.id}-errors.csv`);
        ctx.type = 'text/csv; charset=utf-8';
        ctx.body = csv;
      },
    }),
  ];
}
