import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { api } from '../../api';
import { CheckField, CheckList } from '../../components/check-fields';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EditDialog } from '../../components/edit-dialog';
import { DataTable } from '../../components/data-table';
import { Choice, ErrorNote, TextInput } from '../../components/fields';
import { SecretDialog } from '../../components/secret-dialog';
import { linesOf, TextAreaInput } from '../../components/text-area';
import type { Role } from '../../types';
import { useChange } from '../../use-change';
import { ROLE_NAMES } from '../settings/names';
import { BuiltInNote } from './built-in-note';

export interface Client {
  clientId: string;
  metadata: { client_name?: string; redirect_uris?: string[]; grant_types?: string[]; [k: string]: unknown };
  firstParty: boolean;
  hasSecret: boolean;
  resourceServer: string | null;
  serviceAccount: { role: Role } | null;
  builtIn: boolean;
}
interface Registered {
  client_id: string;
  client_secret?: string;
}
const KEY = ['clients'];
const path = (clientId: string) => `/clients/${encodeURIComponent(clientId)}`;
const GRANTS = [
  { id: 'authorization_code', label: 'Authorization code (people sign in)' },
  { id: 'refresh_token', label: 'Refresh token' },
  { id: 'client_credentials', label: 'Client credentials (the application on its own)' },
] as const;
type Grant = (typeof GRANTS)[number]['id'];
const AUTH_METHODS = [
  { id: 'client_secret_basic', label: 'Client secret (HTTP Basic)' },
  { id: 'client_secret_post', label: 'Client secret (in the request body)' },
  { id: 'client_secret_jwt', label: 'JWT signed with the client secret' },
  { id: 'private_key_jwt', label: "JWT signed with the application's private key" },
] as const;
type AuthMethod = (typeof AUTH_METHODS)[number]['id'];
const SERVICE_ROLES = (['manager', 'hr', 'admin', 'super_admin'] as const).map((r) => ({
  id: r,
  label: ROLE_NAMES[r],
}));
const nameOf = (c: Client) => c.metadata.client_name ?? c.clientId;

/** A new secret to show once: after creation or rotation. */
interface Shown {
  clientId: string;
  secret: string;
}

/** The clients of one kind, with their actions: edit, rotate the secret, delete; built-in ones read-only. */
function ClientList(props: { kind: 'clients' | 'service-accounts' }) {
  const service = props.kind === 'service-accounts';
  const clients = useQuery({ queryKey: KEY, queryFn: () => api<{ items: Client[] }>('/clients') });
  const rows = (clients.data?.items ?? []).filter((c) => Boolean(c.serviceAccount) === service);
  const [editing, setEditing] = useState<Client | 'new' | null>(null);
  const [rotating, setRotating] = useState<Client | null>(null);
  const [removing, setRemoving] = useState<Client | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const rotate = useChange(
    (c: Client) => api<Registered>(`${path(c.clientId)}/secret`, { method: 'POST', body: { graceSeconds: 0 } }),
    {
      invalidate: [KEY],
      done: (r) => {
        setRotating(null);
        setShown({ clientId: r.client_id, secret: r.client_secret ?? '' });
      },
    },
  );
  const remove = useChange((c: Client) => api(path(c.clientId), { method: 'DELETE' }), {
    invalidate: [KEY],
    success: (_, c) => `${nameOf(c)} deleted`,
    done: () => setRemoving(null),
  });
  const columns = useMemo<ColumnDef<Client, unknown>[]>(
    () => [
      { header: 'Name', cell: ({ row }) => nameOf(row.original) },
      { header: 'Client ID', accessorKey: 'clientId' },
      service
        ? { header: 'Role', cell: ({ row }) => ROLE_NAMES[row.original.serviceAccount?.role ?? 'individual'] }
        : { header: 'Type', cell: ({ row }) => (row.original.hasSecret ? 'Confidential' : 'Public') },
      { header: 'Grant types', cell: ({ row }) => (row.original.metadata.grant_types ?? []).join(', ') },
      { header: 'First party', cell: ({ row }) => (row.original.firstParty ? 'Yes' : 'No') },
      {
        id: 'actions',
        header: 'Actions',
        cell: ({ row }) => {
          const c = row.original;
          if (c.builtIn) return <BuiltInNote />;
          return (
            <div className="row-actions">
              {!service && (
                <Button aria-label={`Edit ${nameOf(c)}`} onPress={() => setEditing(c)}>
                  Edit
                </Button>
              )}
              {c.hasSecret && (
                <Button aria-label={`Rotate secret of ${nameOf(c)}`} onPress={() => setRotating(c)}>
                  Rotate secret
                </Button>
              )}
              <Button aria-label={`Delete ${nameOf(c)}`} onPress={() => setRemoving(c)}>
                Delete
              </Button>
            </div>
          );
        },
      },
    ],
    [service],
  );
  const made = (r: Registered) => {
    setEditing(null);
    if (r.client_secret) setShown({ clientId: r.client_id, secret: r.client_secret });
  };
  return (
    <>
      <div className="toolbar">
        <Button className="primary" onPress={() => setEditing('new')}>
          {service ? 'Add service account' : 'Add client'}
        </Button>
      </div>
      <ErrorNote error={clients.error} />
      <DataTable
        label={service ? 'Service accounts' : 'Clients'}
        columns={columns}
        data={rows}
        getRowId={(c) => c.clientId}
        empty={service ? 'No service accounts yet.' : 'No clients yet.'}
      />
      {editing === 'new' && service && <ServiceAccountDialog onMade={made} onClose={() => setEditing(null)} />}
      {editing && !service && (
        <ClientDialog client={editing === 'new' ? null : editing} onMade={made} onClose={() => setEditing(null)} />
      )}
      <ConfirmDialog
        isOpen={rotating !== null}
        title={`Rotate the secret of ${rotating ? nameOf(rotating) : ''}?`}
        busy={rotate.isPending}
        onConfirm={() => rotating && rotate.mutate(rotating)}
        onCancel={() => setRotating(null)}
      >
        <p>
          A new secret is made and shown once. The current secret stops working now: give the application the new one.
        </p>
        <ErrorNote error={rotate.error} />
      </ConfirmDialog>
      <ConfirmDialog
        isOpen={removing !== null}
        title={`Delete ${removing ? nameOf(removing) : ''}?`}
        destructive
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>Its grants, codes and tokens are revoked now; the application can no longer sign anyone in or call APIs.</p>
        <ErrorNote error={remove.error} />
      </ConfirmDialog>
      <SecretDialog
        title={`The secret of ${shown?.clientId ?? ''}`}
        label="Client secret"
        secret={shown?.secret ?? null}
        onClose={() => setShown(null)}
      />
    </>
  );
}

export const Clients = () => (
  <section>
    <h2>Clients</h2>
    <p className="muted">Applications people sign in to with Gatehouse (OpenID Connect).</p>
    <ClientList kind="clients" />
  </section>
);

export const ServiceAccounts = () => (
  <section>
    <h2>Service accounts</h2>
    <p className="muted">
      Clients that call the admin API on their own (client credentials, scope admin) with the role given here.
    </p>
    <ClientList kind="service-accounts" />
  </section>
);

/** Register a client (null) or change one: name, redirect URIs, grant types, first party. */
function ClientDialog(props: { client: Client | null; onMade: (r: Registered) => void; onClose: () => void }) {
  const { client } = props;
  const [clientId, setClientId] = useState('');
  const [name, setName] = useState(client ? nameOf(client) : '');
  const [uris, setUris] = useState(client?.metadata.redirect_uris?.join('\n') ?? '');
  const [grants, setGrants] = useState<Grant[]>((client?.metadata.grant_types as Grant[]) ?? ['authorization_code']);
  const [isPublic, setPublic] = useState(false);
  const [firstParty, setFirstParty] = useState(client?.firstParty ?? false);
  const registered = client?.metadata.token_endpoint_auth_method as AuthMethod | 'none' | undefined;
  const [method, setMethod] = useState<AuthMethod>(
    registered && registered !== 'none' ? registered : 'client_secret_basic',
  );
  const [jwksUri, setJwksUri] = useState(String(client?.metadata.jwks_uri ?? ''));
  const [logoutUri, setLogoutUri] = useState(String(client?.metadata.backchannel_logout_uri ?? ''));
  const confidential = client ? registered !== 'none' : !isPublic;
  const save = useChange(
    () => {
      const body = {
        name,
        redirectUris: linesOf(uris),
        grantTypes: grants,
        firstParty,
        ...(confidential ? { tokenEndpointAuthMethod: method } : {}),
        ...(confidential && method === 'private_key_jwt' && jwksUri ? { jwksUri } : {}),
        // Emptied on a client that had one: no back-channel logout any more.
        backchannelLogoutUri: logoutUri || (client ? null : undefined),
      };
      return client
        ? api<Registered>(path(client.clientId), { method: 'PATCH', body }).then(() => ({ client_id: client.clientId }))
        : api<Registered>('/clients', { method: 'POST', body: { clientId, isPublic, ...body } });
    },
    {
      invalidate: [KEY],
      success: () => (client ? `${name} saved` : `Client ${name || clientId} added`),
      done: props.onMade,
    },
  );
  return (
    <EditDialog
      title={client ? `Edit ${nameOf(client)}` : 'Add client'}
      submitLabel={client ? 'Save' : 'Create'}
      error={save.error}
      busy={save.isPending}
      onSubmit={() => save.mutate(undefined)}
      onClose={props.onClose}
    >
      {!client && (
        <TextInput
          label="Client ID"
          value={clientId}
          onChange={setClientId}
          isRequired
          description="Letters, digits, . _ : - (it stays once made)"
        />
      )}
      <TextInput label="Name" value={name} onChange={setName} />
      <TextAreaInput label="Redirect URIs" value={uris} onChange={setUris} rows={3} description="One per line" />
      <CheckList label="Grant types" options={GRANTS} value={grants} onChange={setGrants} />
      {!client && (
        <CheckField
          label="Public client (no secret: a browser or mobile application using PKCE)"
          isSelected={isPublic}
          onChange={setPublic}
        />
      )}
      {confidential && (
        <Choice
          label="Authentication at the token endpoint"
          value={method}
          onChange={setMethod}
          options={AUTH_METHODS}
        />
      )}
      {confidential && method === 'private_key_jwt' && (
        <TextInput
          label="JWKS URI"
          value={jwksUri}
          onChange={setJwksUri}
          isRequired
          description="Where the application publishes its public keys (https)"
        />
      )}
      <TextInput
        label="Back-channel logout URI"
        value={logoutUri}
        onChange={setLogoutUri}
        description="Optional: told at once (a signed logout token) when a session of its user ends"
      />
      <CheckField label="First party (no consent page)" isSelected={firstParty} onChange={setFirstParty} />
    </EditDialog>
  );
}

/** A confidential client with client credentials and an admin role. */
function ServiceAccountDialog(props: { onMade: (r: Registered) => void; onClose: () => void }) {
  const [clientId, setClientId] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('hr');
  const save = useChange(
    () =>
      api<Registered>('/clients', {
        method: 'POST',
        body: { clientId, name: name || undefined, grantTypes: ['client_credentials'], serviceAccount: { role } },
      }),
    { invalidate: [KEY], success: () => `Service account ${name || clientId} added`, done: props.onMade },
  );
  return (
    <EditDialog
      title="Add service account"
      submitLabel="Create"
      error={save.error}
      busy={save.isPending}
      onSubmit={() => save.mutate(undefined)}
      onClose={props.onClose}
    >
      <TextInput label="Client ID" value={clientId} onChange={setClientId} isRequired />
      <TextInput label="Name" value={name} onChange={setName} />
      <Choice label="Role" value={role} onChange={setRole} options={SERVICE_ROLES} />
    </EditDialog>
  );
}
