import { useQuery } from '@tanstack/react-query';
import { api } from '../../api';
import { formatTime, type RecordView, useUserChange } from './model';
import { PickAndAdd } from './pick-and-add';
import { RemovableList } from './removable-list';

interface LicenceType {
  key: string;
  name: string;
  seats: number | null;
  seatsUsed: number;
}

/** Licences: what the user holds; giving or taking one can decide whether they may sign in (users.status). */
export function LicencesSection({ record }: { record: RecordView }) {
  const { licences } = record.details;
  const editable = record.may('users.status');
  const types = useQuery({
    queryKey: ['licences'],
    queryFn: () => api<{ items: LicenceType[] }>('/licences'),
    enabled: editable,
  });
  const give = useUserChange(
    record.id,
    (key: string) => api(`/users/${record.id}/licences`, { method: 'POST', body: { key } }),
    'Licence given',
  );
  const take = useUserChange(
    record.id,
    (key: string) => api(`/users/${record.id}/licences/${encodeURIComponent(key)}`, { method: 'DELETE' }),
    'Licence taken away',
  );
  const held = new Set(licences.map((l) => l.key));
  return (
    <section aria-labelledby="licences-heading">
      <h2 id="licences-heading">Licences</h2>
      <RemovableList
        label="Licences held"
        items={licences}
        empty="Holds no licence."
        keyOf={(l) => l.key}
        show={(l) => (
          <>
            {l.name} <span className="muted">since {formatTime(l.assignedAt)}</span>
            {l.requiredToSignIn && <span className="muted"> (needed to sign in)</span>}
          </>
        )}
        button="Take away"
        buttonName={(l) => `Take away ${l.name}`}
        onRemove={editable ? (l) => take.mutate(l.key) : undefined}
      />
      {editable && (
        <PickAndAdd
          label="Licence"
          button="Give licence"
          busy={give.isPending}
          options={(types.data?.items ?? [])
            .filter((t) => !held.has(t.key))
            .map((t) => ({
              id: t.key,
              label: t.seats === null ? t.name : `${t.name} (${t.seats - t.seatsUsed} of ${t.seats} seats free)`,
            }))}
          onAdd={(key) => give.mutate(key)}
        />
      )}
    </section>
  );
}
