import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { Link } from 'react-router';
import { api, query } from '../../api';
import { CursorPager, useCursors } from '../../components/cursor-pager';
import { DataTable } from '../../components/data-table';
import { ErrorNote } from '../../components/fields';
import { StatusBadge } from '../../components/status-badge';
import { notify } from '../../components/toasts';
import { UserPicker } from '../../components/user-picker';
import { nameOf, type Page, type User } from '../../types';

/**
 * The users of an account or a group (`GET /users?accountId=` / `?groupId=`), with
 * **Remove** on each row and a picker to add one, where the role may change them.
 */
export function UserMembers(props: {
  filter: { accountId: string } | { groupId: string };
  /** Why the role may not change members, or null when it may. */
  notAllowed: string | null;
  add: (user: User) => Promise<unknown>;
  remove: (user: User) => Promise<unknown>;
}) {
  const client = useQueryClient();
  const paging = useCursors();
  const [picked, setPicked] = useState<User | null>(null);
  const { cursor } = paging;
  const members = useQuery({
    queryKey: ['users', 'members', props.filter, cursor],
    queryFn: () => api<Page<User>>(`/users${query({ ...props.filter, limit: 50, sort: 'familyName', cursor })}`),
  });
  const changed = (what: string) => {
    notify.success(what);
    void client.invalidateQueries();
  };
  const add = useMutation({
    mutationFn: (u: User) => props.add(u),
    onSuccess: (_, u) => changed(`${nameOf(u)} added`),
  });
  const remove = useMutation({
    mutationFn: (u: User) => props.remove(u),
    onSuccess: (_, u) => changed(`${nameOf(u)} removed`),
  });
  const { notAllowed } = props;
  const columns = useMemo<ColumnDef<User, unknown>[]>(
    () => [
      {
        id: 'name',
        header: 'Name',
        cell: ({ row }) => <Link to={`/users/${row.original.id}`}>{nameOf(row.original)}</Link>,
      },
      { id: 'email', header: 'Email', cell: ({ row }) => row.original.email ?? '' },
      { id: 'status', header: 'Status', cell: ({ row }) => <StatusBadge status={row.original.status} /> },
      ...(notAllowed
        ? []
        : [
            {
              id: 'remove',
              header: 'Actions',
              cell: ({ row }: { row: { original: User } }) => (
                <Button aria-label={`Remove ${nameOf(row.original)}`} onPress={() => remove.mutate(row.original)}>
                  Remove
                </Button>
              ),
            },
          ]),
    ],
    [notAllowed, remove.mutate],
  );
  return (
    <section>
      <h2>Members ({members.data?.total ?? '…'})</h2>
      {notAllowed ? (
        <p className="muted">{notAllowed}</p>
      ) : (
        <div className="toolbar">
          <UserPicker label="Find a user to add" onPick={setPicked} />
          <Button
            className="primary"
            isDisabled={!picked || add.isPending}
            onPress={() => picked && add.mutate(picked)}
          >
            Add member
          </Button>
        </div>
      )}
      <ErrorNote error={add.error ?? remove.error ?? members.error} />
      <DataTable
        label="Members"
        columns={columns}
        data={members.data?.items ?? []}
        getRowId={(u) => u.id}
        empty={members.isPending ? 'Loading…' : 'No members.'}
      />
      <CursorPager
        paging={paging}
        nextCursor={members.data?.nextCursor}
        backLabel="Previous page"
        forwardLabel="Next page"
      />
    </section>
  );
}
