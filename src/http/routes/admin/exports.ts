import type { Context } from 'koa';
import { z } from 'zod';
import type { UserSortKey } from '../../../repositories/user-search.js';
import {
  DEFAULT_EXPORT_COLUMNS,
  EXPORT_COLUMNS,
  type ExportRequest,
  type UserExportService,
} from '../../../services/user-export.js';
import { systemClock, type Clock } from '../../../util/clock.js';
import { adminRoute, errors } from './route.js';
import { toUserFilter, USER_FILTER, withCustomFilters } from './schemas.js';

/** `columns=a,b` (or repeated), from the allow-list, in the order given. */
const COLUMNS = z
  .preprocess(
    (v) =>
      v === undefined
        ? undefined
        : (Array.isArray(v) ? v : [v])
            .flatMap((s) => String(s).split(','))
            .map((s) => s.trim())
            .filter(Boolean),
    z
      .array(
        z.union([
          z.enum(EXPORT_COLUMNS),
          z
            .string()
            .regex(/^cf\.[A-Za-z][A-Za-z0-9_]{0,62}$/)
            .transform((c) => c as `cf.${string}`),
        ]),
      )
      .min(1)
      .max(EXPORT_COLUMNS.length + 100)
      .optional(),
  )
  .describe(
    `Columns, comma-separated, from: ${EXPORT_COLUMNS.join(', ')}, and cf.<key> for a custom field. Default: ${DEFAULT_EXPORT_COLUMNS.join(', ')}`,
  );

const QUERY = withCustomFilters(z.object({ ...USER_FILTER, columns: COLUMNS }));

function exportRequest(query: z.output<typeof QUERY>): ExportRequest {
  return {
    filter: toUserFilter(query),
    sort: { key: query.sort.replace(/^-/, '') as UserSortKey, descending: query.sort.startsWith('-') },
    columns: [...new Set(query.columns ?? DEFAULT_EXPORT_COLUMNS)],
  };
}

/** Users as a file, for any filter of the users list: CSV or Excel, streamed. */
export function exportRoutes(deps: { exports: UserExportService; clock?: Clock }) {
  const { exports, clock = systemClock } = deps;
  /** The file as a download, `users-<day>.<extension>`, never cached; `type` when the extension's is not enough. */
  const download = (ctx: Context, extension: string, body: unknown, type?: string) => {
    ctx.attachment(`users-${clock.now().toISOString().slice(0, 10)}.${extension}`);
    if (type) ctx.type = type;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };
  return [
    adminRoute({
      method: 'get',
      path: '/exports/users.csv',
      summary: 'Export users as CSV (UTF-8 with BOM): the users list filters, chosen columns',
      permission: 'users.export',
      query: QUERY,
      responses: {
        200: { description: 'CSV, a header row then one user per line', contentType: 'text/csv' },
        ...errors(400, 403),
      },
      async handle(ctx, { query, by }) {
        download(ctx, 'csv', await exports.csv(exportRequest(query), by), 'text/csv; charset=utf-8');
      },
    }),

    adminRoute({
      method: 'get',
      path: '/exports/users.xlsx',
      summary: 'Export users as an Excel workbook: the users list filters, chosen columns',
      permission: 'users.export',
      query: QUERY,
      responses: {
        200: {
          description: 'One worksheet "Users"',
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
        ...errors(400, 403),
      },
      async handle(ctx, { query, by }) {
        download(ctx, 'xlsx', await exports.xlsx(exportRequest(query), by));
      },
    }),
  ];
}
