import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import {
  CUSTOM_FIELD_TYPES,
  type CustomFieldType,
  type CustomField as DomainField,
} from '../../../../src/domain/custom-field.js';
import { api } from '../../api';
import { CheckField } from '../../components/check-fields';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EditDialog, RowActions } from '../../components/edit-dialog';
import { DataTable } from '../../components/data-table';
import { Choice, ErrorNote, TextInput } from '../../components/fields';
import { linesOf, TextAreaInput } from '../../components/text-area';
import { useChange } from '../../use-change';

/** A custom field as the API sends it. */
type CustomField = Omit<DomainField, 'createdAt' | 'updatedAt'>;
const TYPE_NAMES: Record<CustomFieldType, string> = {
  text: 'Text',
  number: 'Number',
  date: 'Date',
  boolean: 'Yes or no',
  option: 'One of a list',
};
const KEY = ['custom-fields'];
const path = (key: string) => `/custom-fields/${encodeURIComponent(key)}`;

/** The custom fields of the user record: define, change, remove. */
export function CustomFields() {
  const fields = useQuery({ queryKey: KEY, queryFn: () => api<{ items: CustomField[] }>('/custom-fields') });
  const [editing, setEditing] = useState<CustomField | 'new' | null>(null);
  const [removing, setRemoving] = useState<CustomField | null>(null);
  const remove = useChange((f: CustomField) => api(path(f.key), { method: 'DELETE' }), {
    invalidate: [KEY],
    success: (_, f) => `Custom field "${f.label}" removed`,
    done: () => setRemoving(null),
  });
  const columns = useMemo<ColumnDef<CustomField, unknown>[]>(
    () => [
      { header: 'Label', accessorKey: 'label' },
      { header: 'Key', accessorKey: 'key' },
      { header: 'Type', cell: ({ row }) => TYPE_NAMES[row.original.type] },
      { header: 'Options', cell: ({ row }) => row.original.options.join(', ') },
      { header: 'Required', cell: ({ row }) => (row.original.required ? 'Yes' : 'No') },
      { header: 'Claim', cell: ({ row }) => (row.original.claim ? 'Yes' : 'No') },
      {
        id: 'actions',
        header: 'Actions',
        cell: ({ row }) => (
          <RowActions
            name={row.original.label}
            removeLabel="Remove"
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
      <h2>Custom fields</h2>
      <p className="muted">Fields of the user record beyond the standard ones, in the order listed.</p>
      <div className="toolbar">
        <Button className="primary" onPress={() => setEditing('new')}>
          Add custom field
        </Button>
      </div>
      <ErrorNote error={fields.error} />
      <DataTable
        label="Custom fields"
        columns={columns}
        data={fields.data?.items ?? []}
        getRowId={(f) => f.key}
        empty="No custom fields yet."
      />
      {editing && <FieldDialog field={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        isOpen={removing !== null}
        title={`Remove the custom field "${removing?.label}"?`}
        destructive
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>Every user's value of it is removed too. This cannot be undone.</p>
        <ErrorNote error={remove.error} />
      </ConfirmDialog>
    </section>
  );
}

/** Define a field (null) or change one: the key and type stay once made. */
function FieldDialog({ field, onClose }: { field: CustomField | null; onClose: () => void }) {
  const [key, setKey] = useState(field?.key ?? '');
  const [label, setLabel] = useState(field?.label ?? '');
  const [type, setType] = useState<CustomFieldType>(field?.type ?? 'text');
  const [options, setOptions] = useState(field?.options.join('\n') ?? '');
  const [required, setRequired] = useState(field?.required ?? false);
  const [claim, setClaim] = useState(field?.claim ?? false);
  const save = useChange(
    () => {
      const changes = { label, required, claim, ...(type === 'option' ? { options: linesOf(options) } : {}) };
      return field
        ? api(path(field.key), { method: 'PATCH', body: changes })
        : api('/custom-fields', { method: 'POST', body: { key, type, ...changes } });
    },
    {
      invalidate: [KEY],
      success: () => (field ? `Custom field "${label}" saved` : `Custom field "${label}" added`),
      done: onClose,
    },
  );
  return (
    <EditDialog
      title={field ? `Edit ${field.label}` : 'Add custom field'}
      submitLabel={field ? 'Save' : 'Create'}
      error={save.error}
      busy={save.isPending}
      onSubmit={() => save.mutate(undefined)}
      onClose={onClose}
    >
      {!field && (
        <>
          <TextInput
            label="Key"
            value={key}
            onChange={setKey}
            isRequired
            description="A letter, then letters, digits or _; how the API, import and claims name it"
          />
          <Choice
            label="Type"
            value={type}
            onChange={setType}
            options={CUSTOM_FIELD_TYPES.map((t) => ({ id: t, label: TYPE_NAMES[t] }))}
          />
        </>
      )}
      <TextInput label="Label" value={label} onChange={setLabel} isRequired />
      {type === 'option' && (
        <TextAreaInput label="Options" value={options} onChange={setOptions} description="One per line" />
      )}
      <CheckField label="Required" isSelected={required} onChange={setRequired} />
      <CheckField label="Shown as a claim in ID tokens" isSelected={claim} onChange={setClaim} />
    </EditDialog>
  );
}
