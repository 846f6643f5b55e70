import type { ColumnDef } from '@tanstack/react-table';
import { formatTime, type RecordView, userKey } from './model';
import { PagedTable } from './paged-table';

interface AuditEvent {
  id: number;
  at: string;
  actor: { type: string; id: string | null; name: string | null; onBehalfOf: string | null };
  action: string;
  changes: Record<string, [unknown, unknown]> | null;
  ip: string | null;
}

const shown = (v: unknown) =>
  v === null || v === undefined || v === '' ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v);

const COLUMNS: ColumnDef<AuditEvent, unknown>[] = [
  { header: 'Time', cell: ({ row }) => formatTime(row.original.at) },
  { header: 'Action', accessorKey: 'action' },
  {
    header: 'By',
    cell: ({ row }) => {
      const { actor } = row.original;
      const who = actor.name ?? actor.id ?? actor.type;
      return actor.onBehalfOf ? `${who} (acting as ${actor.onBehalfOf})` : who;
    },
  },
  {
    header: 'Changes',
    cell: ({ row }) => {
      const changes = Object.entries(row.original.changes ?? {});
      if (changes.length === 0) return '—';
      return (
        <ul className="changes">
          {changes.map(([field, [before, after]]) => (
            <li key={field}>
              {field}: {shown(before)} → {shown(after)}
            </li>
          ))}
        </ul>
      );
    },
  },
];

/** The user's audit trail: what was done to them, by whom, with old and new values. */
export function AuditTrailSection({ record }: { record: RecordView }) {
  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit trail</h2>
      <PagedTable
        label="Audit events"
        queryKey={[...userKey(record.id), 'audit']}
        path={`/audit?userId=${encodeURIComponent(record.id)}`}
        columns={COLUMNS}
        empty="Nothing recorded about this user."
      />
    </section>
  );
}
