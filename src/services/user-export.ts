import { once } from 'node:events';
import { PassThrough, pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Logger } from 'pino';
import { PROFILE_FIELDS, type User } from '../domain/user.js';
import type { UserFilter, UserRelated, UserSearch, UserSort } from '../repositories/user-search.js';
import type { Operator } from '../domain/operator.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { CONTACT_COLUMNS, type ContactColumn, contactCell } from '../policies/contact-cells.js';
import type { LicencesRepository } from '../repositories/licences.js';
import type { PhonesAndAddresses, UserContactsRepository } from '../repositories/user-contacts.js';
import type { UserRecordService } from './user-record.js';

/**
 * Columns from related records, read for a page of users in one statement: the
 * main account's name; group names; role assignments as `role`, `role@<accountId>`
 * or `role@group:<accountGroupId>`; several values separated by ";".
 */
const RELATED_COLUMNS = ['mainAccountName', 'groups', 'roles'] as const satisfies readonly (keyof UserRelated)[];
type RelatedColumn = (typeof RELATED_COLUMNS)[number];
const isRelated = (c: string): c is RelatedColumn => (RELATED_COLUMNS as readonly string[]).includes(c);

/** A related column's cell. */
function relatedCell(related: UserRelated | undefined, column: RelatedColumn): string | null {
  if (!related) return null;
  if (column === 'mainAccountName') return related.mainAccountName;
  if (column === 'groups') return related.groups.map((g) => g.displayName).join(';');
  return related.roles
    .map((r) =>
      r.accountId ? `${r.role}@${r.accountId}` : r.accountGroupId ? `${r.role}@group:${r.accountGroupId}` : r.role,
    )
    .join(';');
}

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
  ...CONTACT_COLUMNS,
  ...RELATED_COLUMNS,
  'licences',
] as const satisfies readonly (keyof User | ContactColumn | RelatedColumn | 'licences')[];
/** A column of the list above, or `cf.<key>`: a custom field's value. */
export type ExportColumn = (typeof EXPORT_COLUMNS)[number] | `cf.${string}`;
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

const isContactColumn = (column: string): column is ContactColumn =>
  (CONTACT_COLUMNS as readonly string[]).includes(column);

/** A user as exported (with their licence keys when the export has the column), their contacts and related records. */
type ExportRow = [User & { licences?: string[] }, PhonesAndAddresses | undefined, UserRelated | undefined];

/** A custom field's value as text: numbers and booleans as JSON writes them. */
const customCell = (value: unknown) =>
  value === undefined || value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);

/** A user's cell: tags and licences joined with `;` (as the import splits them), times as Date; phones and addresses as contact-cells.ts writes them. */
function cell(row: ExportRow, column: ExportColumn): string | Date | null {
  const [user, contacts, related] = row;
  if (isRelated(column)) return relatedCell(related, column);
  if (column === 'licences') return (user.licences ?? []).join(';');
  if (column.startsWith('cf.')) return customCell(user.customAttributes[column.slice(3)]);
  if (isContactColumn(column)) return contactCell(contacts ?? { phoneNumbers: [], addresses: [] }, column);
  const value = user[column as keyof User];
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
export function createUserExportService(deps: {
  search: UserSearch;
  log: Logger;
  pageSize?: number;
  /** Custom field filters and columns (without: neither is accepted). */
  record?: Pick<UserRecordService, 'resolveFilter' | 'rules'>;
  /** Phones and addresses (without: those columns are empty). */
  contacts?: Pick<UserContactsRepository, 'of'>;
  /** The licence keys of a page of users (without: that column is empty). */
  licences?: Pick<LicencesRepository, 'keysOf'>;
}) {
  const pageSize = deps.pageSize ?? 2000;

  /** Every user matching, a page at a time with their phones and addresses when a column needs them; the first page is read at once. */
  async function pages(request: ExportRequest, by: Operator): Promise<AsyncGenerator<ExportRow[]>> {
    const custom = request.columns.filter((c) => c.startsWith('cf.'));
    if (custom.length) {
      const keys = new Set((await deps.record?.rules())?.customFields.map((f) => f.key));
      for (const c of custom)
        assertThat(keys.has(c.slice(3)), () => fail('user.unknown_custom_field', { parameter: c }));
    }
    const filter = deps.record ? await deps.record.resolveFilter(request.filter) : request.filter;
    const withContacts = request.columns.some(isContactColumn);
    const withRelated = request.columns.some(isRelated);
    const withLicences = request.columns.includes('licences');
    const read = async (cursor?: Parameters<UserSearch['page']>[0]['cursor']) => {
      const page = await deps.search.page({
        filter,
        scope: by.powers.scope,
        sort: request.sort,
        limit: pageSize,
        cursor,
        withTotal: false,
      });
      const ids = page.users.map((u) => u.id);
      const contacts = withContacts && deps.contacts ? await deps.contacts.of(ids) : undefined;
      const related = withRelated ? await deps.search.related(ids) : undefined;
      const licences = withLicences && deps.licences ? await deps.licences.keysOf(ids) : undefined;
      return {
        next: page.next,
        rows: page.users.map(
          (u): ExportRow => [
            licences ? { ...u, licences: licences.get(u.id) ?? [] } : u,
            contacts?.get(u.id),
            related?.get(u.id),
          ],
        ),
      };
    };
    const first = await read();
    return (async function* () {
      let page = first;
      yield page.rows;
      while (page.next) {
        page = await read(page.next);
        yield page.rows;
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
            for (const row of page) {
              yield request.columns.map((c) => {
                const value = cell(row, c);
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
      // Loaded at the first workbook: the heaviest dependency to load, and most processes never write one.
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: out,
        useStyles: false,
        useSharedStrings: false,
      });
      const sheet = workbook.addWorksheet('Users');
      sheet.addRow([...request.columns]).commit();
      (async () => {
        for await (const page of users) {
          for (const row of page) sheet.addRow(request.columns.map((c) => cell(row, c))).commit();
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
