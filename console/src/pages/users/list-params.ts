import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { query } from '../../api';

/** The users list's filters as the URL holds them (the names of GET /users' query). */
export const FILTER_KEYS = [
  'q',
  'status',
  'role',
  'accountId',
  'groupId',
  'tag',
  'licence',
  'neverSignedIn',
  'lastSignInFrom',
  'lastSignInTo',
  'createdFrom',
  'createdTo',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filter = Partial<Record<FilterKey, string>>;

export const PAGE_SIZES = [10, 25, 50, 100, 200] as const;
const DEFAULT_SORT = '-createdAt';

/**
 * The list's state in the URL, so a link or a reload shows the same page: the
 * filters, `sort`, `limit`, and `cursor` repeated, one per page turned (the last one
 * is the page shown; dropping it goes back a page).
 */
export function useListParams() {
  const [params, setParams] = useSearchParams();
  const filter: Filter = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filter[key] = value;
  }
  const sort = params.get('sort') ?? DEFAULT_SORT;
  const asked = Number(params.get('limit'));
  const limit = (PAGE_SIZES as readonly number[]).includes(asked) ? asked : 50;
  const cursors = params.getAll('cursor');

  // The changes, made once (a search's pause timer keeps running while the page renders).
  const actions = useMemo(() => {
    /** A change that starts again at the first page (any but a page turn). */
    const change = (edit: (p: URLSearchParams) => void) =>
      setParams((previous) => {
        const next = new URLSearchParams(previous);
        edit(next);
        next.delete('cursor');
        return next;
      });
    return {
      setFilter(key: FilterKey, value: string | null) {
        change((p) => (value ? p.set(key, value) : p.delete(key)));
      },
      /** Every filter but the search. */
      clearFilters() {
        change((p) => {
          for (const key of FILTER_KEYS) if (key !== 'q') p.delete(key);
        });
      },
      setSort(value: string) {
        change((p) => p.set('sort', value));
      },
      setLimit(value: number) {
        change((p) => p.set('limit', String(value)));
      },
      nextPage(cursor: string) {
        setParams((previous) => {
          const next = new URLSearchParams(previous);
          next.append('cursor', cursor);
          return next;
        });
      },
      previousPage() {
        setParams((previous) => {
          const next = new URLSearchParams(previous);
          const kept = next.getAll('cursor').slice(0, -1);
          next.delete('cursor');
          for (const c of kept) next.append('cursor', c);
          return next;
        });
      },
    };
  }, [setParams]);

  return {
    filter,
    sort,
    limit,
    cursors,
    /** The page's query for GET /users. */
    listQuery: query({ ...filter, sort, limit, cursor: cursors.at(-1) }),
    /** The filter and sort, for an export. */
    exportQuery: query({ ...filter, sort }),
    ...actions,
  };
}
export type ListParams = ReturnType<typeof useListParams>;
