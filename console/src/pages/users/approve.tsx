import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { api } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorNote } from '../../components/fields';
import { notify } from '../../components/toasts';
import { nameOf, type User } from '../../types';

/** **Approve** a pending user from the grid: active, and told so by mail (POST /users/{id}/approve). */
export function ApproveButton({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const name = nameOf(user);
  const approve = useMutation({
    mutationFn: () => api<{ notified: boolean }>(`/users/${user.id}/approve`, { method: 'POST' }),
    onSuccess: ({ notified }) => {
      setAsking(false);
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      notify.success(`${name} approved`, notified ? 'They were told by mail.' : 'No email: they were not told.');
    },
  });
  return (
    <>
      <Button className="small" aria-label={`Approve ${name}`} onPress={() => setAsking(true)}>
        Approve
      </Button>
      <ConfirmDialog
        isOpen={asking}
        title={`Approve ${name}?`}
        busy={approve.isPending}
        onConfirm={() => approve.mutate()}
        onCancel={() => {
          setAsking(false);
          approve.reset();
        }}
      >
        <p>They become active and may sign in; they are told so by mail.</p>
        <ErrorNote error={approve.error} />
      </ConfirmDialog>
    </>
  );
}
