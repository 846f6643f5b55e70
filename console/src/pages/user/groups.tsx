import { useQuery } from '@tanstack/react-query';
import { api } from '../../api';
import { type RecordView, useUserChange } from './model';
import { PickAndAdd } from './pick-and-add';
import { RemovableList } from './removable-list';

/** Groups: the groups the user is a member of. */
export function GroupsSection({ record }: { record: RecordView }) {
  const { groups } = record.details;
  const editable = record.may('users.groups');
  const all = useQuery({
    queryKey: ['directory', 'groups'],
    queryFn: () => api<{ items: { id: string; displayName: string }[] }>('/groups?limit=500'),
    enabled: editable,
    staleTime: 60_000,
  });
  const save = useUserChange(
    record.id,
    (groupIds: string[]) => api(`/users/${record.id}/groups`, { method: 'PUT', body: { groupIds } }),
    'Groups saved',
  );
  const ids = groups.map((g) => g.id);
  return (
    <section aria-labelledby="groups-heading">
      <h2 id="groups-heading">Groups</h2>
      <RemovableList
        label="Member of"
        items={groups}
        empty="Member of no group."
        keyOf={(g) => g.id}
        show={(g) => g.displayName}
        button="Remove"
        buttonName={(g) => `Remove from ${g.displayName}`}
        onRemove={editable ? (g) => save.mutate(ids.filter((id) => id !== g.id)) : undefined}
      />
      {editable && (
        <PickAndAdd
          label="Group"
          button="Add to group"
          busy={save.isPending}
          options={(all.data?.items ?? [])
            .filter((g) => !ids.includes(g.id))
            .map((g) => ({ id: g.id, label: g.displayName }))}
          onAdd={(id) => save.mutate([...ids, id])}
        />
      )}
    </section>
  );
}
