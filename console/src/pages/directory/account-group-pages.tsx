import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { Link, useNavigate, useParams } from 'react-router';
import { api, query } from '../../api';
import { DataTable } from '../../components/data-table';
import { Choice, ErrorNote, TextInput } from '../../components/fields';
import { PageTitle } from '../../components/page-title';
import { notify } from '../../components/toasts';
import { useMe } from '../../me';
import { DeleteAction } from './delete-action';
import { DirectoryList } from './directory-list';
import { FormAction } from './form-action';
import { type Account, type AccountGroup, KIND_LABELS, type Listing } from './types';

const BASE = '/accounts/groups';

const COLUMNS: ColumnDef<AccountGroup, unknown>[] = [
  {
    id: 'name',
    header: 'Name',
    cell: ({ row }) => <Link to={`${BASE}/${row.original.id}`}>{row.original.name}</Link>,
  },
  { id: 'accounts', header: 'Accounts', cell: ({ row }) => row.original.accountIds.length },
];

export function AccountGroupList() {
  const { can } = useMe();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  return (
    <>
      <PageTitle title="Account groups">Account groups</PageTitle>
      <DirectoryList
        path="/account-groups"
        label="Account groups"
        searchLabel="Search account groups"
        columns={COLUMNS}
      >
        {can('directory.write') && (
          <FormAction
            label="Add account group"
            title="Add an account group"
            submitLabel="Create"
            primary
            onOpen={() => setName('')}
            onSubmit={() => api<AccountGroup>('/account-groups', { method: 'POST', body: { name } })}
            onDone={(g) => {
              notify.success(`Account group ${g.name} created`);
              navigate(`${BASE}/${g.id}`);
            }}
          >
            <TextInput label="Name" value={name} onChange={setName} isRequired />
          </FormAction>
        )}
      </DirectoryList>
    </>
  );
}

export function AccountGroupRecord() {
  const { id = '' } = useParams();
  const { can } = useMe();
  const mayWrite = can('directory.write');
  const navigate = useNavigate();
  const client = useQueryClient();
  const path = `/account-groups/${id}`;
  const group = useQuery({ queryKey: ['/account-groups', id], queryFn: () => api<AccountGroup>(path) });
  // Account groups hold few accounts; the first 500 accounts name them and offer the rest.
  const accounts = useQuery({
    queryKey: ['/accounts', 'all'],
    queryFn: () => api<Listing<Account>>(`/accounts${query({ limit: 500 })}`),
  });
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string | null>(null);
  const setMembers = useMutation({
    mutationFn: (accountIds: string[]) => api<AccountGroup>(path, { method: 'PATCH', body: { accountIds } }),
    onSuccess: () => {
      notify.success('Members saved');
      setPicked(null);
      void client.invalidateQueries();
    },
  });
  const g = group.data;
  const memberIds = g?.accountIds ?? [];
  const members = (accounts.data?.items ?? []).filter((a) => memberIds.includes(a.id));
  const others = (accounts.data?.items ?? []).filter((a) => !memberIds.includes(a.id));
  const columns = useMemo<ColumnDef<Account, unknown>[]>(
    () => [
      {
        id: 'name',
        header: 'Name',
        cell: ({ row }) => <Link to={`/accounts/${row.original.id}`}>{row.original.name}</Link>,
      },
      { id: 'kind', header: 'Kind', cell: ({ row }) => KIND_LABELS[row.original.kind] },
      ...(mayWrite
        ? [
            {
              id: 'remove',
              header: 'Actions',
              cell: ({ row }: { row: { original: Account } }) => (
                <Button
                  aria-label={`Remove ${row.original.name}`}
                  onPress={() => setMembers.mutate(memberIds.filter((m) => m !== row.original.id))}
                >
                  Remove
                </Button>
              ),
            },
          ]
        : []),
    ],
    [mayWrite, memberIds, setMembers.mutate],
  );
  if (!g) return group.error ? <ErrorNote error={group.error} /> : <p>Loading…</p>;
  return (
    <>
      <p>
        <Link to={BASE}>All account groups</Link>
      </p>
      <PageTitle title={g.name}>{g.name}</PageTitle>
      {mayWrite && (
        <div className="actions">
          <FormAction
            label="Edit"
            title={`Edit ${g.name}`}
            submitLabel="Save"
            onOpen={() => setName(g.name)}
            onSubmit={() => api<AccountGroup>(path, { method: 'PATCH', body: { name } })}
            onDone={() => {
              notify.success('Account group saved');
              void client.invalidateQueries({ queryKey: ['/account-groups'] });
            }}
          >
            <TextInput label="Name" value={name} onChange={setName} isRequired />
          </FormAction>
          <DeleteAction
            path={path}
            name={g.name}
            inUseCode="account_group.in_use"
            forceText="Delete it anyway: its managers no longer manage its accounts through it. The accounts stay."
            onDone={() => {
              notify.success(`Account group ${g.name} deleted`);
              void client.invalidateQueries({ queryKey: ['/account-groups'] });
              navigate(BASE);
            }}
          >
            <p>The account group is removed; its accounts stay.</p>
          </DeleteAction>
        </div>
      )}
      <section>
        <h2>Accounts ({memberIds.length})</h2>
        {mayWrite && (
          <div className="toolbar">
            <Choice
              label="Account to add"
              value={picked}
              placeholder="Choose an account"
              options={others.map((a) => ({ id: a.id, label: a.name }))}
              onChange={setPicked}
            />
            <Button
              className="primary"
              isDisabled={!picked || setMembers.isPending}
              onPress={() => picked && setMembers.mutate([...memberIds, picked])}
            >
              Add account
            </Button>
          </div>
        )}
        <ErrorNote error={setMembers.error ?? accounts.error} />
        <DataTable label="Accounts" columns={columns} data={members} getRowId={(a) => a.id} empty="No accounts." />
      </section>
    </>
  );
}
