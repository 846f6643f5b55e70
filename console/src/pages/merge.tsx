import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorNote } from '../components/fields';
import { NeedsPermission } from '../components/not-allowed-page';
import { PageTitle } from '../components/page-title';
import { notify } from '../components/toasts';
import { UserPicker } from '../components/user-picker';
import { nameOf } from '../types';
import { Compare, type UserDetails } from './merge/compare';

interface Conflict {
  field: string;
  keep: unknown;
  merge: unknown;
}

const useDetails = (id: string | null) =>
  useQuery({
    queryKey: ['users', id, 'details'],
    queryFn: () => api<UserDetails>(`/users/${id}`),
    enabled: Boolean(id),
    placeholderData: undefined,
  });

/** What a 409 merge.conflict says, field by field, in plain words. */
function Conflicts({ error, keep, merge }: { error: unknown; keep: string; merge: string }) {
  if (!(error instanceof ApiError)) return <ErrorNote error={error} />;
  const conflicts = (error.details?.conflicts ?? []) as Conflict[];
  return (
    <div role="alert" className="error-note">
      <p>{error.message}</p>
      <ul>
        {conflicts.map((c) => (
          <li key={c.field}>
            {c.field}: {keep} has “{String(c.keep)}”, {merge} has “{String(c.merge)}”.
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Merge duplicates (`/users/merge?keep=…&merge=…`): pick two users, see them side by
 * side, choose which to keep, confirm. The duplicate's employments, roles, groups,
 * contacts and history move to the kept user; the duplicate is removed.
 */
function Allowed() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const keepId = params.get('keep');
  const mergeId = params.get('merge');
  const keep = useDetails(keepId);
  const merge = useDetails(mergeId);
  const pick = (which: 'keep' | 'merge', id: string | undefined) => {
    const next = new URLSearchParams(params);
    if (id) next.set(which, id);
    else next.delete(which);
    setParams(next, { replace: true });
  };
  const run = useMutation({
    mutationFn: () => api('/users/merge', { method: 'POST', body: { keepId, mergeId } }),
    onSuccess: () => {
      notify.success('Users merged');
      void client.invalidateQueries({ queryKey: ['users'] });
      navigate(`/users/${keepId}`);
    },
    onSettled: () => setConfirming(false),
  });
  const k = keep.data;
  const m = merge.data;
  const keepName = k ? nameOf(k.user) : '';
  const mergeName = m ? nameOf(m.user) : '';

  return (
    <>
      <p>
        <Link to="/users">All users</Link>
      </p>
      <PageTitle title="Merge duplicates">Merge duplicates</PageTitle>
      <p>
        Pick the two records of the same person. The one kept takes the other's employments, roles, groups, contacts and
        history, and fills its blank fields from it; the other is removed.
      </p>
      <div className="toolbar">
        <UserPicker label="User to keep" onPick={(u) => pick('keep', u?.id)} />
        <UserPicker label="Duplicate to merge" onPick={(u) => pick('merge', u?.id)} />
      </div>
      <ErrorNote error={keep.error ?? merge.error} />
      {k && m && (
        <>
          <Compare keep={k} merge={m} keepName={keepName} mergeName={mergeName} />
          <div className="actions">
            <Button
              onPress={() => {
                run.reset();
                setParams(new URLSearchParams({ keep: mergeId ?? '', merge: keepId ?? '' }), { replace: true });
              }}
            >
              Keep {mergeName} instead
            </Button>
            <Button className="primary" isDisabled={keepId === mergeId} onPress={() => setConfirming(true)}>
              Merge
            </Button>
          </div>
          {keepId === mergeId && <p className="muted">Pick two different users.</p>}
          {run.error && <Conflicts error={run.error} keep={keepName} merge={mergeName} />}
        </>
      )}
      <ConfirmDialog
        isOpen={confirming}
        title={`Merge ${mergeName} into ${keepName}?`}
        destructive
        busy={run.isPending}
        onConfirm={() => run.mutate()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {keepName} is kept. {mergeName}'s employments, roles, groups, contacts and history move to {keepName}, and{' '}
          {mergeName} is removed for good. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}

export default function Page() {
  return (
    <NeedsPermission action="users.merge" title="Merge duplicates" heading="Merge duplicates">
      <Allowed />
    </NeedsPermission>
  );
}
