import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api';
import { Choice, ErrorNote, TextInput } from '../../components/fields';
import { PageTitle } from '../../components/page-title';
import { notify } from '../../components/toasts';
import { notAllowed, useMe } from '../../me';
import { DeleteAction } from './delete-action';
import { DirectoryList } from './directory-list';
import { FormAction } from './form-action';
import { addEmployment, removeEmployment } from './memberships';
import { type Account, KIND_LABELS } from './types';
import { UserMembers } from './user-members';

const KINDS = [
  { id: 'customer', label: 'Customer' },
  { id: 'provider', label: 'Provider' },
] as const;
type SettableKind = (typeof KINDS)[number]['id'];

const COLUMNS: ColumnDef<Account, unknown>[] = [
  {
    id: 'name',
    header: 'Name',
    cell: ({ row }) => <Link to={`/accounts/${row.original.id}`}>{row.original.name}</Link>,
  },
  { id: 'kind', header: 'Kind', cell: ({ row }) => KIND_LABELS[row.original.kind] },
  { id: 'users', header: 'Users', cell: ({ row }) => row.original.userCount },
];

/** The fields of an account: its name and kind (the Guest account's kind is fixed). */
function AccountFields(props: {
  name: string;
  kind: SettableKind | null;
  onName: (v: string) => void;
  onKind: (v: SettableKind) => void;
}) {
  return (
    <>
      <TextInput label="Name" value={props.name} onChange={props.onName} isRequired />
      {props.kind && <Choice label="Kind" value={props.kind} options={KINDS} onChange={props.onKind} />}
    </>
  );
}

export function AccountList() {
  const { can } = useMe();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<SettableKind>('customer');
  return (
    <>
      <PageTitle title="Accounts">Accounts</PageTitle>
      <DirectoryList path="/accounts" label="Accounts" searchLabel="Search accounts" columns={COLUMNS}>
        {can('directory.write') && (
          <FormAction
            label="Add account"
            title="Add an account"
            submitLabel="Create"
            primary
            onOpen={() => setName('')}
            onSubmit={() => api<Account>('/accounts', { method: 'POST', body: { name, kind } })}
            onDone={(a) => {
              notify.success(`Account ${a.name} created`);
              navigate(`/accounts/${a.id}`);
            }}
          >
            <AccountFields name={name} kind={kind} onName={setName} onKind={setKind} />
          </FormAction>
        )}
      </DirectoryList>
    </>
  );
}

export function AccountRecord() {
  const { id = '' } = useParams();
  const { can } = useMe();
  const navigate = useNavigate();
  const client = useQueryClient();
  const account = useQuery({ queryKey: ['/accounts', id], queryFn: () => api<Account>(`/accounts/${id}`) });
  const [name, setName] = useState('');
  const [kind, setKind] = useState<SettableKind | null>(null);
  const a = account.data;
  if (!a) return account.error ? <ErrorNote error={account.error} /> : <p>Loading…</p>;
  return (
    <>
      <p>
        <Link to="/accounts">All accounts</Link>
      </p>
      <PageTitle title={a.name}>{a.name}</PageTitle>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>{KIND_LABELS[a.kind]}</dd>
        <dt>Users</dt>
        <dd>{a.userCount}</dd>
      </dl>
      {can('directory.write') && (
        <div className="actions">
          <FormAction
            label="Edit"
            title={`Edit ${a.name}`}
            submitLabel="Save"
            onOpen={() => {
              setName(a.name);
              setKind(a.kind === 'guest' ? null : a.kind);
            }}
            onSubmit={() =>
              api<Account>(`/accounts/${id}`, { method: 'PATCH', body: { name, kind: kind ?? undefined } })
            }
            onDone={() => {
              notify.success('Account saved');
              void client.invalidateQueries({ queryKey: ['/accounts'] });
            }}
          >
            <AccountFields name={name} kind={kind} onName={setName} onKind={setKind} />
          </FormAction>
          {a.kind !== 'guest' && (
            <DeleteAction
              path={`/accounts/${id}`}
              name={a.name}
              inUseCode="account.in_use"
              forceText="Delete it anyway: its users' employments here end, users whose main account it was move to the Guest account, and its managers no longer manage it."
              onDone={() => {
                notify.success(`Account ${a.name} deleted`);
                void client.invalidateQueries({ queryKey: ['/accounts'] });
                navigate('/accounts');
              }}
            >
              <p>The account is removed; its users stay.</p>
            </DeleteAction>
          )}
        </div>
      )}
      <UserMembers
        filter={{ accountId: id }}
        notAllowed={can('users.employments') ? null : notAllowed('users.employments')}
        add={(u) => addEmployment(u.id, id)}
        remove={(u) => removeEmployment(u.id, id)}
      />
    </>
  );
}
