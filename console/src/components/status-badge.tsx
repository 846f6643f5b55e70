import type { Status } from '../types';

const LABELS: Record<Status, string> = {
  active: 'Active',
  new: 'New',
  import: 'Imported',
  temporary: 'Temporary',
  pending: 'Pending approval',
  inactive: 'Inactive',
  locked: 'Locked',
  deleted: 'Deleted',
};

export const statusLabel = (status: Status) => LABELS[status] ?? status;

/** A user's status as a person reads it. */
export function StatusBadge({ status }: { status: Status }) {
  return <span className={`badge badge-${status}`}>{statusLabel(status)}</span>;
}
