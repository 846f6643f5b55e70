import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { api } from '../../api';
import { CheckField } from '../../components/check-fields';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EditDialog, RowActions } from '../../components/edit-dialog';
import { DataTable } from '../../components/data-table';
import { ErrorNote, TextInput } from '../../components/fields';
import { linesOf } from '../../components/text-area';
import { useChange } from '../../use-change';
import { BuiltInNote } from './built-in-note';

interface Resource {
  indicator: string;
  scopes: string[];
  accessTokenTtl: number | null;
  firstPartyOnly: boolean;
  builtIn: boolean;
}
const KEY = ['resources'];
const path = (indicator: string) => `/resources/${encodeURIComponent(indicator)}`;

/** APIs (resource servers) tokens may be issued for: their scopes and token lifetime. */
export function Resources() {
  const resources = useQuery({ queryKey: KEY, queryFn: () => api<{ items: Resource[] }>('/resources') });
  const [editing, setEditing] = useState<Resource | 'new' | null>(null);
  const [removing, setRemoving] = useState<Resource | null>(null);
  const remove = useChange((r: Resource) => api(path(r.indicator), { method: 'DELETE' }), {
    invalidate: [KEY],
    success: (_, r) => `API ${r.indicator} deleted`,
    done: () => setRemoving(null),
  });
  const columns = useMemo<ColumnDef<Resource, unknown>[]>(
    () => [
      { header: 'Indicator', accessorKey: 'indicator' },
      { header: 'Scopes', cell: ({ row }) => row.original.scopes.join(' ') },
      {
        header: 'Token lifetime',
        cell: ({ row }) => (row.original.accessTokenTtl ? `${row.original.accessTokenTtl} s` : 'Default'),
      },
      { header: 'First party only', cell: ({ row }) => (row.original.firstPartyOnly ? 'Yes' : 'No') },
      {
        id: 'actions',
        header: 'Actions',
        cell: ({ row }) =>
          row.original.builtIn ? (
            <BuiltInNote />
          ) : (
            <RowActions
              name={row.original.indicator}
              removeLabel="Delete"
              onEdit={() => setEditing(row.original)}
              onRemove={() => setRemoving(row.original)}
            />
          ),
      },
    ],
    [],
  );
  return (
    <section>
      <h2>APIs</h2>
      <p className="muted">Resource servers: the audiences access tokens are issued for.</p>
      <div className="toolbar">
        <Button className="primary" onPress={() => setEditing('new')}>
          Add API
        </Button>
      </div>
      <ErrorNote error={resources.error} />
      <DataTable
        label="APIs"
        columns={columns}
        data={resources.data?.items ?? []}
        getRowId={(r) => r.indicator}
        empty="No APIs yet."
      />
      {editing && <ResourceDialog resource={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        isOpen={removing !== null}
        title={`Delete the API ${removing?.indicator ?? ''}?`}
        destructive
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>No new tokens are issued for it; tokens issued already live out their time.</p>
        <ErrorNote error={remove.error} />
      </ConfirmDialog>
    </section>
  );
}

function ResourceDialog({ resource, onClose }: { resource: Resource | null; onClose: () => void }) {
  const [indicator, setIndicator] = useState(resource?.indicator ?? '');
  const [scopes, setScopes] = useState(resource?.scopes.join(' ') ?? '');
  const [ttl, setTtl] = useState(resource?.accessTokenTtl ? String(resource.accessTokenTtl) : '');
  const [firstPartyOnly, setFirstPartyOnly] = useState(resource?.firstPartyOnly ?? false);
  const save = useChange(
    () => {
      const body = {
        scopes: linesOf(scopes, /[\s,]+/),
        accessTokenTtl: ttl.trim() ? Number(ttl) : null,
        firstPartyOnly,
      };
      return resource
        ? api(path(resource.indicator), { method: 'PATCH', body })
        : api('/resources', { method: 'POST', body: { indicator, ...body } });
    },
    { invalidate: [KEY], success: () => `API ${indicator} saved`, done: onClose },
  );
  return (
    <EditDialog
      title={resource ? `Edit ${resource.indicator}` : 'Add API'}
      submitLabel={resource ? 'Save' : 'Create'}
      error={save.error}
      busy={save.isPending}
      onSubmit={() => save.mutate(undefined)}
      onClose={onClose}
    >
      {!resource && (
        <TextInput
          label="Indicator"
          type="url"
          value={indicator}
          onChange={setIndicator}
          isRequired
          description="The API's absolute URL (the resource parameter clients ask for)"
        />
      )}
      <TextInput label="Scopes" value={scopes} onChange={setScopes} description="Separated by spaces" />
      <TextInput
        label="Access token lifetime"
        type="number"
        value={ttl}
        onChange={setTtl}
        description="Seconds; empty: the server's default"
      />
      <CheckField label="First-party clients only" isSelected={firstPartyOnly} onChange={setFirstPartyOnly} />
    </EditDialog>
  );
}
