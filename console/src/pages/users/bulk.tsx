import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components';
import { Link } from 'react-router';
import { api } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorNote, TextInput } from '../../components/fields';
import { notify } from '../../components/toasts';
import { useMe } from '../../me';
import type { AdminAction } from '../../types';
import { usersCount } from './labels';
import type { Filter } from './list-params';

/** The bulk actions the grid offers: an action of POST /users/bulk-actions with its input. */
interface BulkChoice {
  id: string;
  label: string;
  action: string;
  input?: Record<string, unknown>;
  permission: AdminAction;
  /** What will happen, in the confirmation. */
  says: string;
  destructive?: boolean;
  /** Asks for a tag. */
  tag?: boolean;
  /** The confirmation's question, for a count ("Deactivate 1,234 users?" by default). */
  asks?: (users: string) => string;
}

const ENDS_SESSIONS = 'Their sessions and tokens end now.';
const CHOICES: BulkChoice[] = [
  {
    id: 'activate',
    label: 'Activate',
    action: 'status',
    input: { status: 'active' },
    permission: 'users.status',
    says: 'They may sign in again.',
  },
  {
    id: 'deactivate',
    label: 'Deactivate',
    action: 'status',
    input: { status: 'inactive' },
    permission: 'users.status',
    says: `They may no longer sign in. ${ENDS_SESSIONS}`,
    destructive: true,
  },
  {
    id: 'lock',
    label: 'Lock',
    action: 'status',
    input: { status: 'locked' },
    permission: 'users.status',
    says: `They may not sign in until unlocked. ${ENDS_SESSIONS}`,
    destructive: true,
  },
  {
    id: 'approve',
    label: 'Approve',
    action: 'approve',
    permission: 'users.status',
    says: 'Pending users become active and are told so by mail; others are refused.',
  },
  {
    id: 'invite',
    label: 'Send invitation',
    action: 'invite',
    permission: 'users.invite',
    says: 'Each gets a mail with a link to choose a password (valid 7 days).',
    asks: (n) => `Send an invitation to ${n}?`,
  },
  {
    id: 'passwordReset',
    label: 'Send password reset',
    action: 'passwordReset',
    permission: 'users.password',
    says: 'Each gets a mail with a link to choose a new password.',
    asks: (n) => `Send a password reset to ${n}?`,
  },
  {
    id: 'mfaReset',
    label: 'Reset MFA',
    action: 'mfaReset',
    permission: 'users.mfa',
    says: 'Their authenticator apps, passkeys and recovery codes are removed; they set them up again.',
    asks: (n) => `Reset MFA of ${n}?`,
  },
  {
    id: 'tagsAdd',
    label: 'Add tag',
    action: 'tags.add',
    permission: 'users.edit',
    says: 'The tag is added to each.',
    tag: true,
    asks: (n) => `Add a tag to ${n}?`,
  },
  {
    id: 'tagsRemove',
    label: 'Remove tag',
    action: 'tags.remove',
    permission: 'users.edit',
    says: 'The tag is removed from each.',
    tag: true,
    asks: (n) => `Remove a tag from ${n}?`,
  },
  {
    id: 'delete',
    label: 'Delete',
    action: 'delete',
    permission: 'users.delete',
    says: `They are marked deleted and may not sign in; they can be restored. ${ENDS_SESSIONS}`,
    destructive: true,
  },
  {
    id: 'restore',
    label: 'Restore',
    action: 'restore',
    permission: 'users.delete',
    says: 'Deleted users come back as inactive.',
  },
];

/** Whom the action is for: the selected rows, or every user the filter matches (the count shown). */
export type BulkTarget = { ids: string[] } | { filter: Filter; expectedCount: number };
const countOf = (t: BulkTarget) => ('ids' in t ? t.ids.length : t.expectedCount);

interface Outcome {
  action: string;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  results?: { id: string; ok: boolean; error?: string; message?: string }[];
}
interface Job extends Outcome {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  error: string | null;
}

/**
 * The selection bar (`children`: what is selected) with the bulk actions menu, the
 * confirmation, and the action's progress and result (kept once the selection is let go).
 */
export function BulkActions(props: { target: BulkTarget | null; onDone: () => void; children: ReactNode }) {
  const { can } = useMe();
  const queryClient = useQueryClient();
  const [choice, setChoice] = useState<BulkChoice | null>(null);
  const [tag, setTag] = useState('');
  const [running, setRunning] = useState<{ label: string; jobId?: string; outcome?: Outcome } | null>(null);
  const offered = CHOICES.filter((c) => can(c.permission));
  const { target } = props;
  const count = target ? countOf(target) : 0;

  const run = useMutation({
    mutationFn: (c: BulkChoice) =>
      api<Outcome | Job>('/users/bulk-actions', {
        method: 'POST',
        body: { action: c.action, input: c.tag ? { tags: [tag.trim()] } : (c.input ?? {}), ...target },
      }),
    onSuccess: (answer, c) => {
      setChoice(null);
      setTag('');
      setRunning('id' in answer ? { label: c.label, jobId: answer.id } : { label: c.label, outcome: answer });
      if (!('id' in answer)) finished(c.label, answer);
    },
  });
  const finished = (label: string, o: Outcome) => {
    void queryClient.invalidateQueries({ queryKey: ['users'] });
    props.onDone();
    notify.success(`${label}: ${o.succeeded.toLocaleString('en')} done`, o.failed ? `${o.failed} refused` : undefined);
  };

  return (
    <>
      {target && (
        <section className="selection-bar" aria-label="Selection">
          {props.children}
          {offered.length > 0 && (
            <MenuTrigger>
              <Button>Bulk actions</Button>
              <Popover className="popover">
                <Menu
                  className="listbox"
                  aria-label="Bulk actions"
                  onAction={(key) => setChoice(offered.find((c) => c.id === key) ?? null)}
                >
                  {offered.map((c) => (
                    <MenuItem key={c.id} id={c.id} className="listbox-item">
                      {c.label}
                    </MenuItem>
                  ))}
                </Menu>
              </Popover>
            </MenuTrigger>
          )}
        </section>
      )}
      {choice && (
        <ConfirmDialog
          isOpen
          title={choice.asks?.(usersCount(count)) ?? `${choice.label} ${usersCount(count)}?`}
          destructive={choice.destructive}
          busy={run.isPending || (choice.tag && !tag.trim())}
          onConfirm={() => run.mutate(choice)}
          onCancel={() => {
            setChoice(null);
            run.reset();
          }}
        >
          <p>{choice.says}</p>
          {choice.tag && <TextInput label="Tag" value={tag} onChange={setTag} isRequired />}
          <ErrorNote error={run.error} />
        </ConfirmDialog>
      )}
      {running && <BulkProgress {...running} onFinished={finished} />}
    </>
  );
}

/** A bulk action's progress (a job, polled) and then its result, with the users refused. */
function BulkProgress(props: {
  label: string;
  jobId?: string;
  outcome?: Outcome;
  onFinished: (label: string, o: Outcome) => void;
}) {
  const job = useQuery({
    queryKey: ['bulk-jobs', props.jobId],
    queryFn: () => api<Job>(`/bulk-jobs/${props.jobId}`),
    enabled: Boolean(props.jobId),
    refetchInterval: (q) => (q.state.data?.status === 'running' || !q.state.data ? 500 : false),
    placeholderData: undefined,
  });
  const jobDone = job.data && job.data.status !== 'running';
  const refused = useQuery({
    queryKey: ['bulk-jobs', props.jobId, 'refused'],
    queryFn: () =>
      api<{ items: NonNullable<Outcome['results']> }>(`/bulk-jobs/${props.jobId}/results?failed=true&limit=20`),
    enabled: Boolean(jobDone && job.data?.failed),
  });
  const { label, onFinished } = props;
  const final = jobDone ? job.data : undefined;
  const reported = useRef(false);
  useEffect(() => {
    if (!final || reported.current) return;
    reported.current = true;
    onFinished(label, final);
  }, [final, label, onFinished]);
  const o = props.outcome ?? job.data;
  const failures = props.outcome?.results?.filter((r) => !r.ok).slice(0, 20) ?? refused.data?.items ?? [];
  const done = Boolean(props.outcome) || jobDone;
  return (
    <section className="bulk-progress" aria-label="Bulk action">
      <div role="status">
        {!o ? (
          <p>{props.label}: starting…</p>
        ) : done ? (
          <p>
            {props.label} finished: {o.succeeded.toLocaleString('en')} done, {o.failed.toLocaleString('en')} refused
            {job.data?.error ? ` (${job.data.error})` : ''}.
          </p>
        ) : (
          <p>
            {props.label}: {o.processed.toLocaleString('en')} of {o.total.toLocaleString('en')} done
          </p>
        )}
      </div>
      {o && (
        <progress aria-label={`${props.label} progress`} value={o.processed} max={Math.max(o.total, 1)}>
          {o.processed}
        </progress>
      )}
      {failures.length > 0 && (
        <ul className="bulk-refused" aria-label="Users refused">
          {failures.map((r) => (
            <li key={r.id}>
              <Link to={`/users/${r.id}`}>{r.id}</Link>: {r.message || r.error}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
