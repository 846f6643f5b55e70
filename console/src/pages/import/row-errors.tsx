import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { parse } from 'csv-parse/browser/esm/sync';
import { apiFetch } from '../../api';
import { DataTable } from '../../components/data-table';
import { ErrorNote } from '../../components/fields';
import { errorsPath, type ImportJob } from './types';

interface RowError {
  n: number;
  row: string;
  column: string;
  code: string;
  message: string;
}

/** The first rows shown; the errors file has them all. */
const SHOWN = 500;

const COLUMNS: ColumnDef<RowError, unknown>[] = [
  { accessorKey: 'row', header: 'Row' },
  { accessorKey: 'column', header: 'Column' },
  { accessorKey: 'message', header: 'Problem' },
  { accessorKey: 'code', header: 'Code' },
];

/** An import's bad rows, read from its errors file (row 1 is the first row after the header). */
export function RowErrors({ job }: { job: ImportJob }) {
  const errors = useQuery({
    queryKey: ['imports', job.id, 'errors'],
    queryFn: async () => {
      const text = await (await apiFetch(errorsPath(job), { headers: { accept: 'text/csv' } })).text();
      const rows = parse(text, { columns: true, skip_empty_lines: true }) as Omit<RowError, 'n'>[];
      return rows.slice(0, SHOWN).map((e, n) => ({ ...e, n }));
    },
  });
  return (
    <>
      <ErrorNote error={errors.error} />
      <DataTable
        label="Row errors"
        columns={COLUMNS}
        data={errors.data ?? []}
        getRowId={(e) => String(e.n)}
        empty={errors.isPending ? 'Loading…' : 'No bad rows.'}
      />
      {job.failed > SHOWN && (
        <p className="muted">The first {SHOWN} problems are shown; the errors file has them all.</p>
      )}
    </>
  );
}
