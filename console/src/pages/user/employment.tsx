import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { api } from '../../api';
import { DataTable } from '../../components/data-table';
import { TextInput } from '../../components/fields';
import { type Employment, formatDate, type RecordView, useDirectory, useUserChange } from './model';
import { PickAndAdd } from './pick-and-add';

type Row = Pick<Employment, 'accountId' | 'startDate' | 'endDate' | 'isMain'>;
const asInput = (e: Row): Row => ({
  accountId: e.accountId,
  startDate: e.startDate,
  endDate: e.endDate,
  isMain: e.isMain,
});

/** Employment: the accounts the user works for, with dates; the main one is their main account. */
export function EmploymentSection({ record }: { record: RecordView }) {
  const { employments } = record.details;
  const editable = record.may('users.employments');
  const directory = useDirectory(editable);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const save = useUserChange(
    record.id,
    (list: Row[]) => api(`/users/${record.id}/employments`, { method: 'PUT', body: { employments: list } }),
    'Employments saved',
  );
  const current = employments.map(asInput);
  const columns = useMemo<ColumnDef<Employment, unknown>[]>(
    () => [
      { header: 'Account', accessorKey: 'accountName' },
      { header: 'Start', cell: ({ row }) => formatDate(row.original.startDate) },
      { header: 'End', cell: ({ row }) => formatDate(row.original.endDate) },
      { header: 'Main', cell: ({ row }) => (row.original.isMain ? 'Main account' : '') },
      ...(editable
        ? [
            {
              id: 'actions',
              header: 'Actions',
              cell: ({ row }: { row: { original: Employment } }) => {
                const e = row.original;
                return (
                  <div className="row-actions">
                    {!e.isMain && (
                      <Button
                        aria-label={`Make main: ${e.accountName}`}
                        onPress={() => save.mutate(current.map((c) => ({ ...c, isMain: c.accountId === e.accountId })))}
                      >
                        Make main
                      </Button>
                    )}
                    {!e.isMain && (
                      <Button
                        aria-label={`Remove: ${e.accountName}`}
                        onPress={() => save.mutate(current.filter((c) => c.accountId !== e.accountId))}
                      >
                        Remove
                      </Button>
                    )}
                  </div>
                );
              },
            },
          ]
        : []),
    ],
    [editable, current, save],
  );
  const taken = new Set(employments.map((e) => e.accountId));
  return (
    <section aria-labelledby="employment-heading">
      <h2 id="employment-heading">Employment</h2>
      <DataTable
        label="Employments"
        columns={columns}
        data={employments}
        getRowId={(e) => e.accountId}
        empty="No employment."
      />
      {editable && (
        <PickAndAdd
          label="Account"
          button="Add employment"
          busy={save.isPending}
          options={directory.accounts.filter((a) => !taken.has(a.id)).map((a) => ({ id: a.id, label: a.name }))}
          onAdd={(accountId) => {
            save.mutate([
              ...current,
              { accountId, startDate: start || null, endDate: end || null, isMain: current.length === 0 },
            ]);
            setStart('');
            setEnd('');
          }}
        >
          <TextInput label="Start date" type="date" value={start} onChange={setStart} />
          <TextInput label="End date" type="date" value={end} onChange={setEnd} />
        </PickAndAdd>
      )}
    </section>
  );
}
