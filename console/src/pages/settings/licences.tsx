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
import { useChange } from '../../use-change';

interface LicenceType {
  key: string;
  name: string;
  seats: number | null;
  seatsUsed: number;
  requiredToSignIn: boolean;
}
const KEY = ['licences'];
const path = (key: string) => `/licences/${encodeURIComponent(key)}`;

/** Licence types: seats, who holds them, whether one is needed to sign in. */
export function Licences() {
  const licences = useQuery({ queryKey: KEY, queryFn: () => api<{ items: LicenceType[] }>('/licences') });
  const [editing, setEditing] = useState<LicenceType | 'new' | null>(null);
  const [removing, setRemoving] = useState<LicenceType | null>(null);
  const remove = useChange((l: LicenceType) => api(path(l.key), { method: 'DELETE' }), {
    invalidate: [KEY],
    success: (_, l) => `Licence "${l.name}" deleted`,
    done: () => setRemoving(null),
  });
  const columns = useMemo<ColumnDef<LicenceType, unknown>[]>(
    () => [
      { header: 'Name', accessorKey: 'name' },
      { header: 'Key', accessorKey: 'key' },
      { header: 'Seats', cell: ({ row }) => row.original.seats ?? 'No limit' },
      { header: 'Used', accessorKey: 'seatsUsed' },
      { header: 'Required to sign in', cell: ({ row }) => (row.original.requiredToSignIn ? 'Yes' : 'No') },
      {
        id: 'actions',
        header: 'Actions',
        cell: ({ row }) => (
          <RowActions
            name={row.original.name}
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
      <h2>Licences</h2>
      <div className="toolbar">
        <Button className="primary" onPress={() => setEditing('new')}>
          Add licence
        </Button>
      </div>
      <ErrorNote error={licences.error} />
      <DataTable
        label="Licences"
        columns={columns}
        data={licences.data?.items ?? []}
        getRowId={(l) => l.key}
        empty="No licence types yet."
      />
      {editing && <LicenceDialog licence={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        isOpen={removing !== null}
        title={`Delete the licence "${removing?.name}"?`}
        destructive
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>
          The {removing?.seatsUsed ?? 0} user(s) holding it lose it. If it was required to sign in, those left without
          such a licence are signed out.
        </p>
        <ErrorNote error={remove.error} />
      </ConfirmDialog>
    </section>
  );
}

function LicenceDialog({ licence, onClose }: { licence: LicenceType | null; onClose: () => void }) {
  const [key, setKey] = useState(licence?.key ?? '');
  const [name, setName] = useState(licence?.name ?? '');
  const [seats, setSeats] = useState(licence?.seats === null || !licence ? '' : String(licence.seats));
  const [required, setRequired] = useState(licence?.requiredToSignIn ?? false);
  const save = useChange(
    () => {
      const body = { name, seats: seats.trim() ? Number(seats) : null, requiredToSignIn: required };
      return licence
        ? api(path(licence.key), { method: 'PATCH', body })
        : api('/licences', { method: 'POST', body: { key, ...body } });
    },
    {
      invalidate: [KEY],
      success: () => (licence ? `Licence "${name}" saved` : `Licence "${name}" added`),
      done: onClose,
    },
  );
  return (
    <EditDialog
      title={licence ? `Edit ${licence.name}` : 'Add licence'}
      submitLabel={licence ? 'Save' : 'Create'}
      error={save.error}
      busy={save.isPending}
      onSubmit={() => save.mutate(undefined)}
      onClose={onClose}
    >
      {!licence && (
        <TextInput
          label="Key"
          value={key}
          onChange={setKey}
          isRequired
          description="Lower-case letters, digits, _ . - (it stays once made)"
        />
      )}
      <TextInput label="Name" value={name} onChange={setName} isRequired />
      <TextInput label="Seats" type="number" value={seats} onChange={setSeats} description="Empty: no limit" />
      <CheckField label="Required to sign in" isSelected={required} onChange={setRequired} />
    </EditDialog>
  );
}
