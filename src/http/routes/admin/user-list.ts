import { z } from 'zod';
import { fail } from '../../../errors/codes.js';
import type { Operator } from '../../../domain/operator.js';
import { USER_SORTS, type UserCursor, type UserSortKey } from '../../../repositories/user-search.js';
import type { UserAdminService } from '../../../services/user-admin.js';
import { isUuid } from '../../../util/uuid.js';
import { recordJson } from './record-schemas.js';
import { relatedJson, toUserFilter, USER_FILTER, withCustomFilters } from './schemas.js';

/**
 * The users list as `GET /admin/api/users` and `gatehouse user list` answer it: the
 * query (filters, sort, keyset paging) and a page. No koa here: the CLI loads it.
 */

/** A timestamptz as PostgreSQL writes it (DateStyle ISO), or -infinity (no sign-in yet). */
const TIMESTAMP_TEXT = /^(-infinity|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d(:\d\d){0,2})$/;

/** The cursor is opaque to callers: the sort it belongs to, and where the last page ended. */
const encodeCursor = (sort: string, c: UserCursor) =>
  Buffer.from(JSON.stringify([sort, c.after, c.id])).toString('base64url');
function decodeCursor(sort: string, cursor: string): UserCursor {
  try {
    const [s, after, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string, string];
    const type = USER_SORTS[sort.replace(/^-/, '') as UserSortKey]?.type;
    if (s === sort && typeof after === 'string' && isUuid(id) && (type === 'text' || TIMESTAMP_TEXT.test(after)))
      return { after, id };
  } catch {}
  throw fail('request.invalid_cursor', { sorted: true });
}

export const USER_LIST_QUERY_FIELDS = {
  ...USER_FILTER,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional().describe('nextCursor of the previous page'),
};
export const USER_LIST_QUERY = withCustomFilters(z.object(USER_LIST_QUERY_FIELDS));
export type UserListQuery = z.infer<typeof USER_LIST_QUERY>;

/** One page of users the operator reaches, with the cursor of the next. */
export async function userListPage(users: Pick<UserAdminService, 'list'>, query: UserListQuery, by: Operator) {
  const descending = query.sort.startsWith('-');
  const sort = { key: query.sort.replace(/^-/, '') as UserSortKey, descending };
  const page = await users.list(
    {
      filter: toUserFilter(query),
      sort,
      limit: query.limit,
      cursor: query.cursor ? decodeCursor(query.sort, query.cursor) : undefined,
    },
    by,
  );
  return {
    items: page.users.map((u) => ({
      ...recordJson(u, page.contacts.get(u.id)),
      ...relatedJson(page.related.get(u.id)),
    })),
    total: page.total,
    nextCursor: page.next ? encodeCursor(query.sort, page.next) : null,
  };
}
