import { once } from 'node:events';
import { PassThrough, pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { Logger } from 'pino';
import { PROFILE_FIELDS, type User } from '../domain/user.js';
import type { UserFilter, UserSearch, UserSort } from '../repositories/user-search.js';
import type { Operator } from '../domain/operator.js';

/** Columns an export may have (named as the import and the API name them). */
export const EXPORT_COLUMNS = [
  'id',
  'userCode',
  'email',
  'title',
  'givenName',
  'middleName',
  'familyName',
  'status',
  'mainRole',
  'mainAccountId',
  'externalId',
  'tags',
  'lastSignInAt',
  'createdAt',
  'expiresAt',
  ...PROFILE_FIELDS.filter((f) => !['title', 'givenName', 'middleName', 'familyName'].includes(f)),
] as const satisfies readonly (keyof User)[];
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export const DEFAULT_EXPORT_COLUMNS: readonly ExportColumn[] = [
  'id',
  'userCode',
  'email',
  'givenName',
  'familyName',
  'status',
  'mainRole',
  'mainAccountId',
  'tags',
  'lastSignInAt',
  'createdAt',
];

export interface ExportRequest {
  filter: UserFilter;
  sort: UserSort;
  columns: readonly ExportColumn[];
}

/** A user's cell: tags joined with `;` (as the import splits them), times as Date. */
function cell(user: User, column: ExportColumn): string | Date | null {
  const value = user[column];
  if (column === 'tags') return user.tags.join(';');
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (column === 'lastSignInAt' || column === 'createdAt' || column === 'expiresAt') return new Date(value as string);
  return String(value);
}

/** A cell a spreadsheet would run as a formula gets a leading `'` (the import takes it off again). */
const guard = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/**
 * Users as CSV or XLSX for any filter of the users list, in the caller's scope.
 * Users are read a page at a time by keyset and written as they come, so memory
 * stays flat whatever the number. The first page is read before the answer
 * starts (a database fault is still an error answer); a fault later cuts the
 * download short.
 */
export function createUserExportService(deps: { search: UserSearch; log: Logger; pageSize?: number }) {
  const pageSize = deps.pageSize ?? 2000;

  /** Every user matching, a page at a time; the first page is read at once. */
  async function pages(request: ExportRequest, by: Operator): Promise<AsyncGenerator<User[]>> {
    const read = (cursor?: Parameters<UserSearch['page']>[0]['cursor']) =>
      deps.search.page({
        filter: request.filter,
        scope: by.powers.scope,
        sort: request.sort,
        limit: pageSize,
        cursor,
        withTotal: false,
      });
    const first = await read();
    return (async function* () {
      let page = first;
      yield page.users;
      while (page.next) {
        page = await read(page.next);
        yield page.users;
      }
    })();
  }

  const failed = (format: string) => (err: unknown) => {
    if (err) deps.log.error({ err }, `export.${format}_failed`);
  };

  return {
    columns: EXPORT_COLUMNS,

    /** UTF-8 with a BOM (so spreadsheets read accents right), a header row, then one line per user. */
    async csv(request: ExportRequest, by: Operator): Promise<Readable> {
      const users = await pages(request, by);
      const rows = Readable.from(
        (async function* () {
          for await (const page of users) {
            for (const user of page) {
              yield request.columns.map((c) => {
                const value = cell(user, c);
                return value instanceof Date ? value.toISOString() : value === null ? '' : guard(value);
              });
            }
          }
        })(),
      );
      const out = stringify({ header: true, columns: [...request.columns], bom: true });
      pipeline(rows, out, failed('csv'));
      return out;
    },

    /** One worksheet "Users", written row by row (no shared strings, no styles). */
    async xlsx(request: ExportRequest, by: Operator): Promise<Readable> {
      const users = await pages(request, by);
      const out = new PassThrough();
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: out,
        useStyles: false,
        useSharedStrings: false,
      });
      const sheet = workbook.addWorksheet('Users');
      sheet.addRow([...request.columns]).commit();
      (async () => {
        for await (const page of users) {
          for (const user of page) sheet.addRow(request.columns.map((c) => cell(user, c))).commit();
          if (out.writableNeedDrain) await once(out, 'drain');
        }
        sheet.commit();
        await workbook.commit();
      })().catch((err) => {
        failed('xlsx')(err);
        out.destroy(err);
      });
      return out;
    },
  };
}
export type UserExportService = ReturnType<typeof createUserExportService>;
