import type { ColumnDef } from '@tanstack/react-table';
import { Button } from 'react-aria-components';
import { DataTable } from '../../components/data-table';
import { notify } from '../../components/toasts';
import { download } from './download';
import { errorsFileName, errorsPath, type ImportJob } from './types';

export const when = (iso: string) => new Date(iso).toLocaleString();

export const STATUS_LABELS: Record<ImportJob['status'], string> = {
  running: 'Running',
  succeeded: 'Finished',
  failed: 'Failed',
};

/** Saves a job's errors file, or says why it could not. */
export const downloadErrors = (job: ImportJob) =>
  download(errorsPath(job), errorsFileName(job)).catch(() => notify.error('The errors file could not be downloaded'));

const COLUMNS: ColumnDef<ImportJob, unknown>[] = [
  { id: 'started', header: 'Started', cell: ({ row }) => when(row.original.createdAt) },
  { id: 'run', header: 'Run', cell: ({ row }) => (row.original.dryRun ? 'Dry run' : 'Import') },
  { accessorKey: 'key', header: 'Key' },
  { accessorKey: 'mode', header: 'Mode' },
  { id: 'status', header: 'Status', cell: ({ row }) => STATUS_LABELS[row.original.status] },
  { accessorKey: 'total', header: 'Rows' },
  { accessorKey: 'created', header: 'Created' },
  { accessorKey: 'updated', header: 'Updated' },
  { accessorKey: 'failed', header: 'Bad rows' },
  {
    id: 'errors',
    header: 'Errors file',
    cell: ({ row }) =>
      row.original.failed > 0 ? (
        <Button
          aria-label={`Download errors of the import started ${when(row.original.createdAt)}`}
          onPress={() => void downloadErrors(row.original)}
        >
          Download
        </Button>
      ) : (
        ''
      ),
  },
];

/** The latest imports, newest first. */
export function RecentImports({ jobs }: { jobs: ImportJob[] }) {
  return (
    <section>
      <h2>Recent imports</h2>
      <DataTable label="Recent imports" columns={COLUMNS} data={jobs} getRowId={(j) => j.id} empty="No imports yet." />
    </section>
  );
}
