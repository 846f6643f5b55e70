import type { ColumnDef, SortingState, VisibilityState } from '@tanstack/react-table';
import { Button, Menu, MenuItem, MenuTrigger, Popover, type Selection } from 'react-aria-components';
import { Link } from 'react-router';
import { StatusBadge } from '../../components/status-badge';
import { nameOf, type User } from '../../types';
import { dateLabel, roleLabel } from './labels';

/** A row of GET /users: the user and what the list adds. */
export interface UserRow extends User {
  mainAccountName: string | null;
}

/** The columns a person may show or hide (Name always shows), and the server sort key of each sortable one. */
export const COLUMNS: { id: string; label: string; sort?: string }[] = [
  { id: 'name', label: 'Name', sort: 'familyName' },
  { id: 'email', label: 'Email', sort: 'email' },
  { id: 'userCode', label: 'User ID', sort: 'userCode' },
  { id: 'status', label: 'Status' },
  { id: 'role', label: 'Role' },
  { id: 'account', label: 'Account' },
  { id: 'lastSignInAt', label: 'Last sign-in', sort: 'lastSignInAt' },
  { id: 'createdAt', label: 'Created', sort: 'createdAt' },
];
const HIDEABLE = COLUMNS.filter((c) => c.id !== 'name');
const sortKey = (id: string) => COLUMNS.find((c) => c.id === id)?.sort;

/** The table's sorting from the URL's `sort` (`-createdAt`), and back. */
export function sortingOf(sort: string): SortingState {
  const key = sort.replace(/^-/, '');
  const column = COLUMNS.find((c) => c.sort === key);
  return column ? [{ id: column.id, desc: sort.startsWith('-') }] : [];
}
export function sortOf(sorting: SortingState): string | undefined {
  const first = sorting[0];
  const key = first && sortKey(first.id);
  return key && `${first.desc ? '-' : ''}${key}`;
}

/** A column of text (an accessor, so TanStack lets a sortable one sort: the server does the sorting). */
const text = (id: string, header: string, read: (u: UserRow) => string): ColumnDef<UserRow, unknown> => ({
  id,
  header,
  accessorFn: read,
  enableSorting: Boolean(sortKey(id)),
  sortDescFirst: false,
  cell: ({ row }) => read(row.original),
});

/** The grid's columns; `actions` renders a row's own buttons (approve). */
export function userColumns(actions: (u: UserRow) => React.ReactNode): ColumnDef<UserRow, unknown>[] {
  return [
    {
      id: 'name',
      header: 'Name',
      accessorFn: nameOf,
      sortDescFirst: false,
      enableHiding: false,
      cell: ({ row }) => <Link to={`/users/${row.original.id}`}>{nameOf(row.original)}</Link>,
    },
    text('email', 'Email', (u) => u.email ?? ''),
    text('userCode', 'User ID', (u) => u.userCode),
    {
      id: 'status',
      header: 'Status',
      enableSorting: false,
      cell: ({ row }) => <StatusBadge status={row.original.status} />,
    },
    text('role', 'Role', (u) => roleLabel(u.mainRole)),
    text('account', 'Account', (u) => u.mainAccountName ?? ''),
    text('lastSignInAt', 'Last sign-in', (u) => (u.lastSignInAt ? dateLabel(u.lastSignInAt) : 'Never')),
    text('createdAt', 'Created', (u) => dateLabel(u.createdAt)),
    {
      id: 'actions',
      header: () => <span className="visually-hidden">Actions</span>,
      enableSorting: false,
      enableHiding: false,
      cell: ({ row }) => actions(row.original),
    },
  ];
}

/** Show or hide columns: a menu of checkable items (React Aria). */
export function ColumnChooser(props: { visibility: VisibilityState; onChange: (v: VisibilityState) => void }) {
  const shown = new Set(HIDEABLE.filter((c) => props.visibility[c.id] !== false).map((c) => c.id));
  const change = (keys: Selection) => {
    const next: VisibilityState = {};
    for (const c of HIDEABLE) next[c.id] = keys === 'all' || keys.has(c.id);
    props.onChange(next);
  };
  return (
    <MenuTrigger>
      <Button>Columns</Button>
      <Popover className="popover">
        <Menu
          className="listbox"
          aria-label="Columns shown"
          selectionMode="multiple"
          selectedKeys={shown}
          onSelectionChange={change}
        >
          {HIDEABLE.map((c) => (
            <MenuItem key={c.id} id={c.id} className="listbox-item menu-check">
              {c.label}
            </MenuItem>
          ))}
        </Menu>
      </Popover>
    </MenuTrigger>
  );
}
