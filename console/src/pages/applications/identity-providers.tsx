import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { api } from '../../api';
import { CheckField } from '../../components/check-fields';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { DataTable } from '../../components/data-table';
import { EditDialog } from '../../components/edit-dialog';
import { Choice, ErrorNote, TextInput } from '../../components/fields';
import { linesOf, TextAreaInput } from '../../components/text-area';
import { useChange } from '../../use-change';

interface IdentityProvider {
  id: string;
  name: string;
  type: 'oidc' | 'saml';
  displayName: string;
  required: boolean;
  enabled: boolean;
  shownPublicly: boolean;
  domains: { domain: string }[];
  jit: { enabled: boolean };
  redirectUri: string;
  acsUrl: string;
}
const KEY = ['identity-providers'];
const path = (p: IdentityProvider) => `/identity-providers/${p.id}`;
const TYPES = [
  { id: 'oidc', label: 'OpenID Connect' },
  { id: 'saml', label: 'SAML 2.0' },
] as const;

/** Customers' own identity providers (issue 16): added, turned on and off, deleted; where to register Gatehouse. */
export function IdentityProviders() {
  const providers = useQuery({
    queryKey: KEY,
    queryFn: () => api<{ items: IdentityProvider[] }>('/identity-providers'),
  });
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<IdentityProvider | null>(null);
  const toggle = useChange((p: IdentityProvider) => api(path(p), { method: 'PATCH', body: { enabled: !p.enabled } }), {
    invalidate: [KEY],
    success: (_, p) => `${p.displayName} ${p.enabled ? 'turned off' : 'turned on'}`,
  });
  const remove = useChange((p: IdentityProvider) => api(path(p), { method: 'DELETE' }), {
    invalidate: [KEY],
    success: (_, p) => `${p.displayName} deleted`,
    done: () => setRemoving(null),
  });
  const columns = useMemo<ColumnDef<IdentityProvider, unknown>[]>(
    () => [
      { header: 'Name', accessorKey: 'displayName' },
      { header: 'Type', cell: ({ row }) => (row.original.type === 'oidc' ? 'OpenID Connect' : 'SAML 2.0') },
      { header: 'Email domains', cell: ({ row }) => row.original.domains.map((d) => d.domain).join(', ') },
      { header: 'Password sign-in', cell: ({ row }) => (row.original.required ? 'Refused' : 'Allowed') },
      {
        header: 'Register at the provider',
        cell: ({ row }) => <code>{row.original.type === 'oidc' ? row.original.redirectUri : row.original.acsUrl}</code>,
      },
      { header: 'State', cell: ({ row }) => (row.original.enabled ? 'On' : 'Off') },
      {
        id: 'actions',
        header: 'Actions',
        cell: ({ row }) => {
          const p = row.original;
          return (
            <div className="row-actions">
              <Button
                aria-label={`${p.enabled ? 'Turn off' : 'Turn on'} ${p.displayName}`}
                onPress={() => toggle.mutate(p)}
              >
                {p.enabled ? 'Turn off' : 'Turn on'}
              </Button>
              <Button aria-label={`Delete ${p.displayName}`} onPress={() => setRemoving(p)}>
                Delete
              </Button>
            </div>
          );
        },
      },
    ],
    [toggle],
  );
  return (
    <section>
      <h2>Identity providers</h2>
      <p className="muted">
        Customers' own sign-in (Entra ID, Okta, ADFS…): people whose email domain is listed are sent there.
      </p>
      <div className="toolbar">
        <Button className="primary" onPress={() => setAdding(true)}>
          Add identity provider
        </Button>
      </div>
      <ErrorNote error={providers.error ?? toggle.error} />
      <DataTable
        label="Identity providers"
        columns={columns}
        data={providers.data?.items ?? []}
        getRowId={(p) => p.id}
        empty="No identity providers yet."
      />
      {adding && <ProviderDialog onClose={() => setAdding(false)} />}
      <ConfirmDialog
        isOpen={removing !== null}
        title={`Delete ${removing?.displayName ?? ''}?`}
        destructive
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>Its people can no longer sign in through it; the links to their users are removed.</p>
        <ErrorNote error={remove.error} />
      </ConfirmDialog>
    </section>
  );
}

/** A new provider: OpenID Connect (issuer, client) or SAML (metadata URL), its domains and rules. */
function ProviderDialog(props: { onClose: () => void }) {
  const [type, setType] = useState<IdentityProvider['type']>('oidc');
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [issuer, setIssuer] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [metadataUrl, setMetadataUrl] = useState('');
  const [domains, setDomains] = useState('');
  const [required, setRequired] = useState(false);
  const [shownPublicly, setShownPublicly] = useState(false);
  const [jit, setJit] = useState(false);
  const save = useChange(
    () =>
      api<IdentityProvider>('/identity-providers', {
        method: 'POST',
        body: {
          name,
          type,
          displayName,
          domains: linesOf(domains, /[\s,]+/),
          required,
          shownPublicly,
          jit: { enabled: jit },
          ...(type === 'oidc' ? { oidc: { issuer, clientId, clientSecret } } : { saml: { metadataUrl } }),
        },
      }),
    {
      invalidate: [KEY],
      success: (p) => `${p.displayName} added: register ${p.type === 'oidc' ? p.redirectUri : p.acsUrl} there`,
      done: props.onClose,
    },
  );
  return (
    <EditDialog
      title="Add identity provider"
      submitLabel="Create"
      error={save.error}
      busy={save.isPending}
      onSubmit={() => save.mutate(undefined)}
      onClose={props.onClose}
    >
      <Choice label="Protocol" value={type} onChange={setType} options={TYPES} />
      <TextInput
        label="Name"
        value={name}
        onChange={setName}
        isRequired
        description="Lower-case letters, digits and -: the path of its URLs"
      />
      <TextInput label="Display name" value={displayName} onChange={setDisplayName} isRequired />
      {type === 'oidc' ? (
        <>
          <TextInput label="Issuer" value={issuer} onChange={setIssuer} isRequired description="https://…" />
          <TextInput label="Client ID" value={clientId} onChange={setClientId} isRequired />
          <TextInput label="Client secret" value={clientSecret} onChange={setClientSecret} isRequired />
        </>
      ) : (
        <TextInput label="Metadata URL" value={metadataUrl} onChange={setMetadataUrl} isRequired />
      )}
      <TextAreaInput
        label="Email domains"
        value={domains}
        onChange={setDomains}
        rows={2}
        description="Its people's email domains, one per line or separated by commas"
      />
      <CheckField
        label="Required: refuse password sign-in for these people"
        isSelected={required}
        onChange={setRequired}
      />
      <CheckField label="Show its button on the sign-in page" isSelected={shownPublicly} onChange={setShownPublicly} />
      <CheckField label="Create users at their first sign-in" isSelected={jit} onChange={setJit} />
    </EditDialog>
  );
}
