import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { api } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import type { AdminAction, Status } from '../../types';
import { type RecordView, useUserChange } from './model';

const SIGNS_IN: Status[] = ['active', 'new', 'import', 'temporary'];

interface StatusAction {
  label: string;
  permission: AdminAction;
  /** The statuses it applies to. */
  when: (status: Status) => boolean;
  /** Not on one's own user (the API refuses it: user.self_change). */
  notSelf?: boolean;
  destructive?: boolean;
  title: (name: string) => string;
  text: (name: string) => string;
  run: (id: string) => Promise<unknown>;
  done: (name: string) => string;
}

const setStatus = (status: Status) => (id: string) => api(`/users/${id}/status`, { method: 'POST', body: { status } });

/** Issue 15 workflow 4: each status change, and what it does, said before it is done. */
const ACTIONS: StatusAction[] = [
  {
    label: 'Activate',
    permission: 'users.status',
    when: (s) => s === 'inactive' || s === 'pending',
    title: (n) => `Activate ${n}?`,
    text: (n) => `${n} can sign in again from now on.`,
    run: setStatus('active'),
    done: (n) => `${n} is active`,
  },
  {
    label: 'Unlock',
    permission: 'users.status',
    when: (s) => s === 'locked',
    title: (n) => `Unlock ${n}?`,
    text: (n) =>
      `${n} can sign in again from now on, with the status they had before the lock; their failed sign-in attempts are forgotten.`,
    run: (id) => api(`/users/${id}/unlock`, { method: 'POST' }),
    done: (n) => `${n} is unlocked`,
  },
  {
    label: 'Deactivate',
    permission: 'users.status',
    when: (s) => SIGNS_IN.includes(s) || s === 'pending' || s === 'locked',
    notSelf: true,
    destructive: true,
    title: (n) => `Deactivate ${n}?`,
    text: (n) => `${n} can no longer sign in. Their sessions and tokens end now. You can activate them again later.`,
    run: setStatus('inactive'),
    done: (n) => `${n} is deactivated`,
  },
  {
    label: 'Lock',
    permission: 'users.status',
    when: (s) => SIGNS_IN.includes(s),
    notSelf: true,
    destructive: true,
    title: (n) => `Lock ${n}?`,
    text: (n) => `${n} cannot sign in until someone unlocks them. Their sessions and tokens end now.`,
    run: setStatus('locked'),
    done: (n) => `${n} is locked`,
  },
  {
    label: 'Delete',
    permission: 'users.delete',
    when: (s) => s !== 'deleted',
    notSelf: true,
    destructive: true,
    title: (n) => `Delete ${n}?`,
    text: (n) =>
      `${n} is marked deleted and can no longer sign in. Their sessions and tokens end now. You can restore them until they are deleted permanently.`,
    run: (id) => api(`/users/${id}`, { method: 'DELETE' }),
    done: (n) => `${n} is deleted`,
  },
  {
    label: 'Restore',
    permission: 'users.delete',
    when: (s) => s === 'deleted',
    title: (n) => `Restore ${n}?`,
    text: (n) =>
      `${n} comes back as inactive, with their roles, employments and groups. Activate them afterwards to let them sign in.`,
    run: (id) => api(`/users/${id}/restore`, { method: 'POST' }),
    done: (n) => `${n} is restored (inactive)`,
  },
  {
    label: 'Delete permanently',
    permission: 'users.delete',
    when: (s) => s === 'deleted',
    notSelf: true,
    destructive: true,
    title: (n) => `Delete ${n} permanently?`,
    text: (n) =>
      `${n} is removed for good: their record, roles, employments, groups and factors. The audit log keeps a note of the removal. This cannot be undone.`,
    run: (id) => api(`/users/${id}`, { method: 'DELETE' }),
    done: (n) => `${n} is deleted permanently`,
  },
  {
    label: 'Anonymise',
    permission: 'users.anonymise',
    when: () => true,
    destructive: true,
    title: (n) => `Anonymise ${n}?`,
    text: () =>
      'Their names, email, User ID, phone numbers, addresses, custom fields and tags are erased; their second factors, sessions and tokens are removed and they can no longer sign in. This cannot be undone.',
    run: (id) => api(`/users/${id}/anonymise`, { method: 'POST' }),
    done: () => 'The user is anonymised',
  },
];

/** The status changes that apply to the user's status and that the administrator may make, each asking first. */
export function StatusActions({ record }: { record: RecordView }) {
  const navigate = useNavigate();
  const [open, setOpen] = useState<StatusAction | null>(null);
  const change = useUserChange(
    record.id,
    (a: StatusAction) => a.run(record.id),
    (a) => a.done(record.name),
  );
  const { status } = record.details.user;
  const offered = ACTIONS.filter((a) => a.when(status) && record.may(a.permission) && !(a.notSelf && record.self));
  if (offered.length === 0) return null;
  return (
    <div className="actions">
      {offered.map((a) => (
        <Button key={a.label} className={a.destructive ? 'danger-outline' : undefined} onPress={() => setOpen(a)}>
          {a.label}
        </Button>
      ))}
      <ConfirmDialog
        isOpen={open !== null}
        title={open?.title(record.name) ?? ''}
        destructive={open?.destructive}
        busy={change.isPending}
        onCancel={() => setOpen(null)}
        onConfirm={() => {
          if (!open) return;
          change.mutate(open, {
            onSettled: () => setOpen(null),
            onSuccess: () => {
              if (open.label === 'Delete permanently') void navigate('/users');
            },
          });
        }}
      >
        <p>{open?.text(record.name)}</p>
      </ConfirmDialog>
    </div>
  );
}
