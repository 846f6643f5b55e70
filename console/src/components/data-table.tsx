import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  type OnChangeFn,
  type RowSelectionState,
  type SortingState,
  useReactTable,
  type VisibilityState,
} from '@tanstack/react-table';
import { useMemo } from 'react';

/**
 * A list as an HTML table (TanStack Table does the state: sorting, selection, visible
 * columns; the server sorts and pages). Sortable headers are buttons with `aria-sort`;
 * selection is a checkbox per row, all reachable with the keyboard.
 */
export function DataTable<T>(props: {
  label: string;
  columns: ColumnDef<T, unknown>[];
  data: T[];
  getRowId: (row: T) => string;
  sorting?: SortingState;
  onSortingChange?: OnChangeFn<SortingState>;
  rowSelection?: RowSelectionState;
  onRowSelectionChange?: OnChangeFn<RowSelectionState>;
  columnVisibility?: VisibilityState;
  /** What to say when there are no rows. */
  empty?: string;
  /** How a row is named for its selection checkbox. */
  rowLabel?: (row: T) => string;
}) {
  const selectable = Boolean(props.onRowSelectionChange);
  const columns = useMemo<ColumnDef<T, unknown>[]>(
    () =>
      selectable
        ? [
            {
              id: 'select',
              enableSorting: false,
              enableHiding: false,
              header: ({ table }) => (
                <input
                  type="checkbox"
                  aria-label="Select all rows on this page"
                  checked={table.getIsAllPageRowsSelected()}
                  onChange={table.getToggleAllPageRowsSelectedHandler()}
                />
              ),
              cell: ({ row }) => (
                <input
                  type="checkbox"
                  aria-label={`Select ${props.rowLabel?.(row.original) ?? row.id}`}
                  checked={row.getIsSelected()}
                  onChange={row.getToggleSelectedHandler()}
                />
              ),
            },
            ...props.columns,
          ]
        : props.columns,
    [selectable, props.columns, props.rowLabel],
  );
  const table = useReactTable({
    data: props.data,
    columns,
    getRowId: props.getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    state: {
      sorting: props.sorting ?? [],
      rowSelection: props.rowSelection ?? {},
      columnVisibility: props.columnVisibility ?? {},
    },
    onSortingChange: props.onSortingChange,
    onRowSelectionChange: props.onRowSelectionChange,
    enableRowSelection: selectable,
  });

  return (
    // Focusable: a table wider than a narrow screen scrolls with the keyboard too.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable (WCAG 2.1.1)
    <section className="table-scroll" tabIndex={0} aria-label={props.label}>
      <table className="data-table" aria-label={props.label}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const canSort = header.column.getCanSort() && Boolean(props.onSortingChange);
                const content = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  >
                    {canSort ? (
                      <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                        {content}
                        <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                      </button>
                    ) : (
                      content
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
          {props.data.length === 0 && (
            <tr>
              <td colSpan={table.getVisibleLeafColumns().length}>{props.empty ?? 'Nothing here yet.'}</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
