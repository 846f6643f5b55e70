import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api';
import { ErrorNote, TextInput } from '../../components/fields';
import { PageTitle } from '../../components/page-title';
import { notify } from '../../components/toasts';
import { notAllowed, useMe } from '../../me';
import { DeleteAction } from './delete-action';
import { DirectoryList } from './directory-list';
import { FormAction } from './form-action';
import { addToGroup, removeFromGroup } from './memberships';
import type { Group, GroupDetails } from './types';
import { UserMembers } from './user-members';

const COLUMNS: ColumnDef<Group, unknown>[] = [
  {
    id: 'name',
    header: 'Name',
    cell: ({ row }) => <Link to={`/groups/${row.original.id}`}>{row.original.displayName}</Link>,
  },
  { id: 'externalId', header: 'External ID', cell: ({ row }) => row.original.externalId ?? '' },
];

/** A group's fields: its name and the ID another system knows it by. */
function GroupFields(props: {
  name: string;
  externalId: string;
  onName: (v: string) => void;
  onExternalId: (v: string) => void;
}) {
  return (
    <>
      <TextInput label="Name" value={props.name} onChange={props.onName} isRequired />
      <TextInput
        label="External ID"
        value={props.externalId}
        onChange={props.onExternalId}
        description="The group's ID in the system that provisions it (SCIM), if any"
      />
    </>
  );
}

export function GroupList() {
  const { can } = useMe();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [externalId, setExternalId] = useState('');
  return (
    <>
      <PageTitle title="Groups">Groups</PageTitle>
      <DirectoryList path="/groups" label="Groups" searchLabel="Search groups" columns={COLUMNS}>
        {can('directory.write') && (
          <FormAction
            label="Add group"
            title="Add a group"
            submitLabel="Create"
            primary
            onOpen={() => {
              setName('');
              setExternalId('');
            }}
            onSubmit={() =>
              api<Group>('/groups', {
                method: 'POST',
                body: { displayName: name, externalId: externalId.trim() || null },
              })
            }
            onDone={(g) => {
              notify.success(`Group ${g.displayName} created`);
              navigate(`/groups/${g.id}`);
            }}
          >
            <GroupFields name={name} externalId={externalId} onName={setName} onExternalId={setExternalId} />
          </FormAction>
        )}
      </DirectoryList>
    </>
  );
}

export function GroupRecord() {
  const { id = '' } = useParams();
  const { can } = useMe();
  const navigate = useNavigate();
  const client = useQueryClient();
  const path = `/groups/${id}`;
  const group = useQuery({ queryKey: ['/groups', id], queryFn: () => api<GroupDetails>(path) });
  const [name, setName] = useState('');
  const [externalId, setExternalId] = useState('');
  const g = group.data;
  if (!g) return group.error ? <ErrorNote error={group.error} /> : <p>Loading…</p>;
  return (
    <>
      <p>
        <Link to="/groups">All groups</Link>
      </p>
      <PageTitle title={g.displayName}>{g.displayName}</PageTitle>
      <dl className="facts">
        <dt>External ID</dt>
        <dd>{g.externalId ?? 'None'}</dd>
      </dl>
      {can('directory.write') && (
        <div className="actions">
          <FormAction
            label="Edit"
            title={`Edit ${g.displayName}`}
            submitLabel="Save"
            onOpen={() => {
              setName(g.displayName);
              setExternalId(g.externalId ?? '');
            }}
            onSubmit={() =>
              api<Group>(path, { method: 'PATCH', body: { displayName: name, externalId: externalId.trim() || null } })
            }
            onDone={() => {
              notify.success('Group saved');
              void client.invalidateQueries({ queryKey: ['/groups'] });
            }}
          >
            <GroupFields name={name} externalId={externalId} onName={setName} onExternalId={setExternalId} />
          </FormAction>
          <DeleteAction
            path={path}
            name={g.displayName}
            onDone={() => {
              notify.success(`Group ${g.displayName} deleted`);
              void client.invalidateQueries({ queryKey: ['/groups'] });
              navigate('/groups');
            }}
          >
            <p>The group is removed; its members stay users.</p>
          </DeleteAction>
        </div>
      )}
      <UserMembers
        filter={{ groupId: id }}
        notAllowed={can('users.groups') ? null : notAllowed('users.groups')}
        add={(u) => addToGroup(u.id, id)}
        remove={(u) => removeFromGroup(u.id, id)}
      />
    </>
  );
}
