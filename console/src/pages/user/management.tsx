import { api } from '../../api';
import { parseScope, type RecordView, scopeName, scopeOptions, useDirectory, useUserChange } from './model';
import { PickAndAdd } from './pick-and-add';
import { RemovableList } from './removable-list';

interface Managed {
  accountIds: string[];
  accountGroupIds: string[];
}
const MANAGING = ['manager', 'hr', 'admin', 'super_admin'];

/** Management: the accounts and account groups the user manages (a manager role scoped to each). */
export function ManagementSection({ record }: { record: RecordView }) {
  const editable = record.may('users.roles');
  const directory = useDirectory(true);
  const scopes = record.details.roles.filter((a) => MANAGING.includes(a.role) && (a.accountId || a.accountGroupId));
  const managed: Managed = {
    accountIds: [...new Set(scopes.flatMap((s) => (s.accountId ? [s.accountId] : [])))],
    accountGroupIds: [...new Set(scopes.flatMap((s) => (s.accountGroupId ? [s.accountGroupId] : [])))],
  };
  const save = useUserChange(
    record.id,
    (body: Managed) => api(`/users/${record.id}/managed-accounts`, { method: 'PUT', body }),
    'Managed accounts saved',
  );
  const items = [
    ...managed.accountIds.map((id) => ({ accountId: id, accountGroupId: null })),
    ...managed.accountGroupIds.map((id) => ({ accountId: null, accountGroupId: id })),
  ];
  const without = (s: { accountId: string | null; accountGroupId: string | null }): Managed => ({
    accountIds: managed.accountIds.filter((id) => id !== s.accountId),
    accountGroupIds: managed.accountGroupIds.filter((id) => id !== s.accountGroupId),
  });
  return (
    <section aria-labelledby="management-heading">
      <h2 id="management-heading">Management</h2>
      <RemovableList
        label="Accounts managed"
        items={items}
        empty="Manages no account."
        keyOf={(s) => s.accountId ?? s.accountGroupId ?? ''}
        show={(s) => scopeName(directory, s)}
        button="Remove"
        buttonName={(s) => `Remove ${scopeName(directory, s)}`}
        onRemove={editable ? (s) => save.mutate(without(s)) : undefined}
      />
      {editable && (
        <PickAndAdd
          label="Account or account group"
          button="Add managed account"
          busy={save.isPending}
          options={scopeOptions(directory).filter(
            (o) => !items.some((s) => o.id.endsWith(`:${s.accountId ?? s.accountGroupId}`)),
          )}
          onAdd={(scope) => {
            const s = parseScope(scope);
            save.mutate({
              accountIds: [...managed.accountIds, ...(s.accountId ? [s.accountId] : [])],
              accountGroupIds: [...managed.accountGroupIds, ...(s.accountGroupId ? [s.accountGroupId] : [])],
            });
          }}
        />
      )}
    </section>
  );
}
