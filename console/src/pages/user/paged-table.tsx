import { useInfiniteQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { Button } from 'react-aria-components';
import { api } from '../../api';
import { DataTable } from '../../components/data-table';
import { ErrorNote } from '../../components/fields';

/** A list the API pages by cursor (newest first), as a table with **Show more**. */
export function PagedTable<T extends { id: number }>(props: {
  label: string;
  queryKey: readonly unknown[];
  /** The path with its query string, without the cursor. */
  path: string;
  columns: ColumnDef<T, unknown>[];
  empty: string;
}) {
  const list = useInfiniteQuery({
    queryKey: props.queryKey,
    queryFn: ({ pageParam }) =>
      api<{ items: T[]; nextCursor: string | null }>(
        `${props.path}${props.path.includes('?') ? '&' : '?'}limit=50${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <ErrorNote error={list.error} />
      <DataTable
        label={props.label}
        columns={props.columns}
        data={rows}
        getRowId={(r) => String(r.id)}
        empty={list.isPending ? 'Loading…' : props.empty}
      />
      {list.hasNextPage && (
        <div className="actions">
          <Button isDisabled={list.isFetchingNextPage} onPress={() => void list.fetchNextPage()}>
            Show more
          </Button>
        </div>
      )}
    </>
  );
}
