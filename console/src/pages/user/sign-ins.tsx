import type { ColumnDef } from '@tanstack/react-table';
import { formatTime, type RecordView, type SignIn, userKey } from './model';
import { PagedTable } from './paged-table';

const COLUMNS: ColumnDef<SignIn, unknown>[] = [
  { header: 'Time', cell: ({ row }) => formatTime(row.original.at) },
  { header: 'Outcome', cell: ({ row }) => (row.original.outcome === 'succeeded' ? 'Succeeded' : 'Failed') },
  {
    header: 'Reason',
    cell: ({ row }) =>
      [row.original.reason?.replaceAll('_', ' '), row.original.factor && `at ${row.original.factor}`]
        .filter(Boolean)
        .join(' ') || '—',
  },
  { header: 'Methods', cell: ({ row }) => row.original.amr?.join(', ') || '—' },
  { header: 'Typed', cell: ({ row }) => row.original.identifier ?? '—' },
  { header: 'Application', cell: ({ row }) => row.original.clientId ?? '—' },
  { header: 'IP', cell: ({ row }) => row.original.ip ?? '—' },
];

/** Sign-in history: every attempt, succeeded or failed, newest first. */
export function SignInsSection({ record }: { record: RecordView }) {
  return (
    <section aria-labelledby="sign-ins-heading">
      <h2 id="sign-ins-heading">Sign-in history</h2>
      <PagedTable
        label="Sign-in attempts"
        queryKey={[...userKey(record.id), 'sign-ins']}
        path={`/users/${record.id}/sign-ins`}
        columns={COLUMNS}
        empty="No sign-in attempt yet."
      />
    </section>
  );
}
