import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { api } from '../../api';
import { CheckField, CheckList } from '../../components/check-fields';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EditDialog } from '../../components/edit-dialog';
import { DataTable } from '../../components/data-table';
import { ErrorNote, TextInput } from '../../components/fields';
import { SecretDialog } from '../../components/secret-dialog';
import { ROLES, type Role } from '../../types';
import { useChange } from '../../use-change';
import { ROLE_NAMES } from '../settings/names';

interface ScimToken {
  id: string;
  name: string;
  grantableRoles: Role[];
  trustEmails: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
const KEY = ['scim-tokens'];
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'Never');

/** SCIM bearer tokens for HR systems: made (shown once), listed, revoked. */
export function ScimTokens() {
  const tokens = useQuery({ queryKey: KEY, queryFn: () => api<{ items: ScimToken[] }>('/scim-tokens') });
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ScimToken | null>(null);
  const revoke = useChange((t: ScimToken) => api(`/scim-tokens/${t.id}`, { method: 'DELETE' }), {
    invalidate: [KEY],
    success: (_, t) => `SCIM token "${t.name}" revoked`,
    done: () => setRevoking(null),
  });
  const columns = useMemo<ColumnDef<ScimToken, unknown>[]>(
    () => [
      { header: 'Name', accessorKey: 'name' },
      {
        header: 'Roles it may give',
        cell: ({ row }) => row.original.grantableRoles.map((r) => ROLE_NAMES[r]).join(', '),
      },
      { header: 'Emails verified', cell: ({ row }) => (row.original.trustEmails ? 'Trusted' : 'No') },
      { header: 'Created', cell: ({ row }) => when(row.original.createdAt) },
      { header: 'Last used', cell: ({ row }) => when(row.original.lastUsedAt) },
      {
        header: 'State',
        cell: ({ row }) => (row.original.revokedAt ? `Revoked ${when(row.original.revokedAt)}` : 'Active'),
      },
      {
        id: 'actions',
        header: 'Actions',
        cell: ({ row }) =>
          row.original.revokedAt ? null : (
            <Button aria-label={`Revoke ${row.original.name}`} onPress={() => setRevoking(row.original)}>
              Revoke
            </Button>
          ),
      },
    ],
    [],
  );
  return (
    <section>
      <h2>SCIM tokens</h2>
      <p className="muted">Bearer tokens HR systems use to provision users through SCIM 2.0.</p>
      <div className="toolbar">
        <Button className="primary" onPress={() => setAdding(true)}>
          Add SCIM token
        </Button>
      </div>
      <ErrorNote error={tokens.error} />
      <DataTable
        label="SCIM tokens"
        columns={columns}
        data={tokens.data?.items ?? []}
        getRowId={(t) => t.id}
        empty="No SCIM tokens yet."
      />
      {adding && (
        <TokenDialog
          onClose={() => setAdding(false)}
          onMade={(token) => {
            setAdding(false);
            setShown(token);
          }}
        />
      )}
      <SecretDialog title="The new SCIM token" label="SCIM token" secret={shown} onClose={() => setShown(null)} />
      <ConfirmDialog
        isOpen={revoking !== null}
        title={`Revoke the SCIM token "${revoking?.name ?? ''}"?`}
        destructive
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onCancel={() => setRevoking(null)}
      >
        <p>Every SCIM call with it is refused from now on. This cannot be undone.</p>
        <ErrorNote error={revoke.error} />
      </ConfirmDialog>
    </section>
  );
}

function TokenDialog(props: { onMade: (token: string) => void; onClose: () => void }) {
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<Role[]>([]);
  const [trustEmails, setTrustEmails] = useState(false);
  const save = useChange(
    () =>
      api<{ token: string }>('/scim-tokens', {
        method: 'POST',
        body: { name, trustEmails, ...(roles.length ? { grantableRoles: roles } : {}) },
      }),
    { invalidate: [KEY], done: (r) => props.onMade(r.token) },
  );
  return (
    <EditDialog
      title="Add SCIM token"
      submitLabel="Create"
      error={save.error}
      busy={save.isPending}
      onSubmit={() => save.mutate(undefined)}
      onClose={props.onClose}
    >
      <TextInput
        label="Name"
        value={name}
        onChange={setName}
        isRequired
        description="Who uses it, e.g. the HR system"
      />
      <CheckList
        label="Roles it may give"
        description="None ticked: the server's default"
        options={ROLES.map((r) => ({ id: r, label: ROLE_NAMES[r] }))}
        value={roles}
        onChange={setRoles}
      />
      <CheckField
        label="Trust its emails (the HR system has verified them: email_verified)"
        isSelected={trustEmails}
        onChange={setTrustEmails}
      />
    </EditDialog>
  );
}
