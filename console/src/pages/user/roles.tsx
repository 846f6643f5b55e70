import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { api } from '../../api';
import { DataTable } from '../../components/data-table';
import { Choice } from '../../components/fields';
import type { Role } from '../../types';
import {
  parseScope,
  type RecordView,
  ROLE_LABELS,
  type RoleAssignment,
  roleOptions,
  scopeName,
  scopeOptions,
  useDirectory,
  useUserChange,
} from './model';
import { PickAndAdd } from './pick-and-add';

const isScoped = (a: RoleAssignment) => Boolean(a.accountId || a.accountGroupId);
const sameAssignment = (a: RoleAssignment, b: RoleAssignment) =>
  a.role === b.role && a.accountId === b.accountId && a.accountGroupId === b.accountGroupId;

/** Roles: the main role, and roles scoped to an account or an account group. */
export function RolesSection({ record }: { record: RecordView }) {
  const { user, roles } = record.details;
  const editable = record.may('users.roles');
  const directory = useDirectory(true);
  const [mainRole, setMainRole] = useState<Role>(user.mainRole);
  const [role, setRole] = useState<Role>('manager');
  const scoped = roles.filter(isScoped);
  const save = useUserChange(
    record.id,
    (body: { mainRole: Role; assignments: RoleAssignment[] }) =>
      api(`/users/${record.id}/roles`, { method: 'PUT', body }),
    'Roles saved',
  );
  const columns = useMemo<ColumnDef<RoleAssignment, unknown>[]>(
    () => [
      { header: 'Role', cell: ({ row }) => ROLE_LABELS[row.original.role] },
      { header: 'Scope', cell: ({ row }) => scopeName(directory, row.original) },
      ...(editable
        ? [
            {
              id: 'actions',
              header: 'Actions',
              cell: ({ row }: { row: { original: RoleAssignment } }) => (
                <Button
                  aria-label={`Remove ${ROLE_LABELS[row.original.role]} of ${scopeName(directory, row.original)}`}
                  onPress={() =>
                    save.mutate({
                      mainRole: user.mainRole,
                      assignments: scoped.filter((a) => !sameAssignment(a, row.original)),
                    })
                  }
                >
                  Remove
                </Button>
              ),
            },
          ]
        : []),
    ],
    [editable, scoped, save, user.mainRole, directory],
  );
  return (
    <section aria-labelledby="roles-heading">
      <h2 id="roles-heading">Roles</h2>
      {editable ? (
        <div className="toolbar">
          <Choice label="Main role" value={mainRole} options={roleOptions(record.grantable)} onChange={setMainRole} />
          <Button
            isDisabled={mainRole === user.mainRole || save.isPending}
            onPress={() => save.mutate({ mainRole, assignments: scoped })}
          >
            Save main role
          </Button>
        </div>
      ) : (
        <p>
          Main role: <strong>{ROLE_LABELS[user.mainRole]}</strong>
        </p>
      )}
      <h3>Scoped roles</h3>
      <DataTable
        label="Scoped roles"
        columns={columns}
        data={scoped}
        getRowId={(a) => `${a.role}:${a.accountId ?? ''}:${a.accountGroupId ?? ''}`}
        empty="No role scoped to an account or account group."
      />
      {editable && (
        <PickAndAdd
          label="Scope"
          button="Add role"
          busy={save.isPending}
          options={scopeOptions(directory)}
          onAdd={(scope) => {
            save.mutate({ mainRole: user.mainRole, assignments: [...scoped, { role, ...parseScope(scope) }] });
          }}
        >
          <Choice label="Role" value={role} options={roleOptions(record.grantable)} onChange={setRole} />
        </PickAndAdd>
      )}
    </section>
  );
}
