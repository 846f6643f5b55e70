import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { api } from '../../api';
import { ConfirmDialog, FormDialog } from '../../components/confirm-dialog';
import { DataTable } from '../../components/data-table';
import { ErrorNote, TextInput } from '../../components/fields';
import { formatTime, type RecordView, type SignIn, userKey, useUserChange } from './model';

interface Session {
  id: string;
  signedInAt: string | null;
  amr: string[];
  acr: string | null;
  clients: string[];
  expiresAt: string | null;
}

const SESSION_COLUMNS: ColumnDef<Session, unknown>[] = [
  { header: 'Signed in', cell: ({ row }) => formatTime(row.original.signedInAt) },
  { header: 'Methods', cell: ({ row }) => row.original.amr.join(', ') || '—' },
  { header: 'Applications', cell: ({ row }) => row.original.clients.join(', ') || '—' },
  { header: 'Ends', cell: ({ row }) => formatTime(row.original.expiresAt) },
];

const signInText = (s: SignIn | null) =>
  s
    ? `${formatTime(s.at)}${s.reason ? ` (${s.reason.replaceAll('_', ' ')})` : ''}${s.ip ? ` from ${s.ip}` : ''}`
    : 'Never';

/** Security: password, second factors, sessions. */
export function SecuritySection({ record }: { record: RecordView }) {
  const { user, lastSignIn, lastFailedSignIn } = record.details;
  const [asking, setAsking] = useState<'mfa' | 'sessions' | 'password' | null>(null);
  const [password, setPassword] = useState('');
  const close = () => setAsking(null);
  const sessions = useQuery({
    queryKey: [...userKey(record.id), 'sessions'],
    queryFn: () => api<{ items: Session[] }>(`/users/${record.id}/sessions`),
    enabled: record.can('users.sessions'),
  });
  const sendReset = useUserChange(
    record.id,
    () => api(`/users/${record.id}/password`, { method: 'POST', body: { sendLink: true } }),
    `A password reset link is on its way to ${user.email}`,
  );
  const setPasswordNow = useUserChange(
    record.id,
    (value: string) => api(`/users/${record.id}/password`, { method: 'POST', body: { password: value } }),
    'Password set',
  );
  const resetMfa = useUserChange(
    record.id,
    () => api(`/users/${record.id}/mfa/reset`, { method: 'POST' }),
    'Second factors reset',
  );
  const endSessions = useUserChange(
    record.id,
    () => api(`/users/${record.id}/sessions`, { method: 'DELETE' }),
    'Every session ended',
  );
  const mayPassword = record.may('users.password');

  return (
    <section aria-labelledby="security-heading">
      <h2 id="security-heading">Security</h2>
      <dl className="facts">
        <dt>Last sign-in</dt>
        <dd>{signInText(lastSignIn)}</dd>
        <dt>Last failed sign-in</dt>
        <dd>{signInText(lastFailedSignIn)}</dd>
      </dl>

      {mayPassword && (
        <>
          <h3>Password</h3>
          <div className="actions">
            <Button isDisabled={!user.email || sendReset.isPending} onPress={() => sendReset.mutate()}>
              Send password reset
            </Button>
            <Button onPress={() => setAsking('password')}>Set a password</Button>
          </div>
          {!user.email && <p className="muted">The user has no email: a reset link cannot be sent.</p>}
        </>
      )}

      {record.may('users.mfa') && (
        <>
          <h3>Second factors</h3>
          <div className="actions">
            <Button onPress={() => setAsking('mfa')}>Reset MFA</Button>
          </div>
        </>
      )}

      {record.can('users.sessions') && (
        <>
          <h3>Sessions</h3>
          <ErrorNote error={sessions.error} />
          <DataTable
            label="Sessions"
            columns={SESSION_COLUMNS}
            data={sessions.data?.items ?? []}
            getRowId={(s) => s.id}
            empty={sessions.isPending ? 'Loading…' : 'No session: the user is not signed in anywhere.'}
          />
          {record.may('users.sessions') && (sessions.data?.items.length ?? 0) > 0 && (
            <div className="actions">
              <Button onPress={() => setAsking('sessions')}>End all sessions</Button>
            </div>
          )}
        </>
      )}

      <ConfirmDialog
        isOpen={asking === 'mfa'}
        title={`Reset MFA of ${record.name}?`}
        destructive
        busy={resetMfa.isPending}
        onCancel={close}
        onConfirm={() => resetMfa.mutate(undefined, { onSettled: close })}
      >
        <p>
          Their authenticator app, passkeys and recovery codes are removed and an MFA lock is lifted. They set up a
          second factor again at their next sign-in.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        isOpen={asking === 'sessions'}
        title={`End every session of ${record.name}?`}
        destructive
        busy={endSessions.isPending}
        onCancel={close}
        onConfirm={() => endSessions.mutate(undefined, { onSettled: close })}
      >
        <p>Their sessions and tokens end now, in every application: they sign in again to go on.</p>
      </ConfirmDialog>
      <FormDialog isOpen={asking === 'password'} title={`Set a password for ${record.name}`} onClose={close}>
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            setPasswordNow.mutate(password, {
              onSuccess: () => {
                setPassword('');
                close();
              },
            });
          }}
        >
          <p>The password policy applies. Tell the user the password through a safe channel.</p>
          <TextInput
            label="New password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={setPassword}
            isRequired
          />
          <ErrorNote error={setPasswordNow.error} />
          <div className="actions">
            <Button onPress={close}>Cancel</Button>
            <Button type="submit" className="primary" isDisabled={!password || setPasswordNow.isPending}>
              Set password
            </Button>
          </div>
        </Form>
      </FormDialog>
    </section>
  );
}
