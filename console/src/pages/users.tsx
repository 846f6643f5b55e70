import { useQuery } from '@tanstack/react-query';
import type { RowSelectionState, SortingState, Updater, VisibilityState } from '@tanstack/react-table';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { Link } from 'react-router';
import { api, query } from '../api';
import { DataTable } from '../components/data-table';
import { Choice, ErrorNote } from '../components/fields';
import { PageTitle } from '../components/page-title';
import { useMe } from '../me';
import { nameOf, type Page as ListPage } from '../types';
import { AddUser } from './users/add-user';
import { ApproveButton } from './users/approve';
import { BulkActions, type BulkTarget } from './users/bulk';
import { ColumnChooser, sortingOf, sortOf, type UserRow, userColumns } from './users/columns';
import { ExportButtons } from './users/export';
import { UserFilters, UserSearch } from './users/filters';
import { usersCount } from './users/labels';
import { PAGE_SIZES, useListParams } from './users/list-params';

/** Told to whoever measures (bench/console.ts): the rows of this query are on the screen. */
const SHOWN_MARK = 'users-shown';

/**
 * The users grid: search, filters, server sort, keyset paging, column chooser, a
 * selection (rows, or every user the filter matches) and its bulk actions, add user,
 * approve, export. Everything but the selection lives in the URL.
 */
export default function UsersPage() {
  const list = useListParams();
  const { can } = useMe();
  const users = useQuery({
    queryKey: ['users', list.listQuery],
    queryFn: ({ signal }) => api<ListPage<UserRow> & { total: number }>(`/users${list.listQuery}`, { signal }),
  });
  const [columnVisibility, setColumnVisibility] = useState<VisibilityState>({});
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const [allMatching, setAllMatching] = useState(false);

  // A new filter is a new list: what was selected is let go (set while rendering, as React advises).
  const filterKey = JSON.stringify(list.filter);
  const [selectionOf, setSelectionOf] = useState(filterKey);
  if (selectionOf !== filterKey) {
    setSelectionOf(filterKey);
    setRowSelection({});
    setAllMatching(false);
  }

  const fresh = users.data && !users.isPlaceholderData;
  useEffect(() => {
    if (fresh) performance.mark(SHOWN_MARK, { detail: list.listQuery });
  }, [fresh, list.listQuery]);

  const canApprove = can('users.status');
  const columns = useMemo(
    () => userColumns((u) => (u.status === 'pending' && canApprove ? <ApproveButton user={u} /> : null)),
    [canApprove],
  );
  const sorting = sortingOf(list.sort);
  const onSortingChange = (updater: Updater<SortingState>) => {
    const next = sortOf(typeof updater === 'function' ? updater(sorting) : updater);
    if (next) list.setSort(next);
  };
  const onRowSelectionChange = (updater: Updater<RowSelectionState>) => {
    setAllMatching(false);
    setRowSelection(typeof updater === 'function' ? updater(rowSelection) : updater);
  };
  const clearSelection = useCallback(() => {
    setRowSelection({});
    setAllMatching(false);
  }, []);

  const rows = users.data?.items ?? [];
  const total = users.data?.total ?? 0;
  const selectedIds = Object.keys(rowSelection).filter((id) => rowSelection[id]);
  const pageAllSelected = rows.length > 0 && rows.every((r) => rowSelection[r.id]);
  const target: BulkTarget | null = allMatching
    ? { filter: list.filter, expectedCount: total }
    : selectedIds.length
      ? { ids: selectedIds }
      : null;
  const page = list.cursors.length + 1;

  return (
    <>
      <PageTitle title="Users">Users</PageTitle>
      <div className="toolbar">
        <UserSearch list={list} />
        <div className="actions">
          <AddUser />
          <ExportButtons exportQuery={list.exportQuery} />
          <ColumnChooser visibility={columnVisibility} onChange={setColumnVisibility} />
        </div>
      </div>
      <UserFilters list={list} />
      <div className="users-summary" role="status">
        {users.data ? `${usersCount(total)} found` : users.isPending ? 'Loading users…' : ''}
      </div>
      <BulkActions target={target} onDone={clearSelection}>
        <span>
          {allMatching
            ? `All ${usersCount(total)} matching this filter selected`
            : `${usersCount(selectedIds.length)} selected`}
        </span>
        {!allMatching && pageAllSelected && total > selectedIds.length && (
          <Button onPress={() => setAllMatching(true)}>Select all {usersCount(total)} matching this filter</Button>
        )}
        {!allMatching && selectedIds.length === 2 && can('users.merge') && (
          <Link className="button" to={`/users/merge${query({ keep: selectedIds[0], merge: selectedIds[1] })}`}>
            Merge duplicates
          </Link>
        )}
        <Button onPress={clearSelection}>Clear selection</Button>
      </BulkActions>
      <ErrorNote error={users.error} />
      <div aria-busy={users.isFetching} className="users-grid">
        <DataTable<UserRow>
          label="Users"
          columns={columns}
          data={rows}
          getRowId={(u) => u.id}
          sorting={sorting}
          onSortingChange={onSortingChange}
          rowSelection={allMatching ? Object.fromEntries(rows.map((r) => [r.id, true])) : rowSelection}
          onRowSelectionChange={onRowSelectionChange}
          columnVisibility={columnVisibility}
          rowLabel={nameOf}
          empty={users.isPending ? 'Loading…' : 'No user matches.'}
        />
      </div>
      <nav className="pager" aria-label="Pages">
        <Button isDisabled={page === 1} onPress={() => list.previousPage()}>
          Previous page
        </Button>
        <span>Page {page}</span>
        <Button
          isDisabled={!users.data?.nextCursor || users.isPlaceholderData}
          onPress={() => users.data?.nextCursor && list.nextPage(users.data.nextCursor)}
        >
          Next page
        </Button>
        <Choice
          label="Users per page"
          value={String(list.limit)}
          options={PAGE_SIZES.map((n) => ({ id: String(n), label: String(n) }))}
          onChange={(v) => list.setLimit(Number(v))}
        />
      </nav>
    </>
  );
}
