import { useMutation } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Button } from 'react-aria-components';
import { api, ApiError } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorNote } from '../../components/fields';

/**
 * **Delete** with a confirmation. Where the API refuses while the record is in use
 * (409 `inUseCode`), the dialog says so and what deleting anyway does (`?force=true`),
 * and a second Confirm deletes it anyway.
 */
export function DeleteAction(props: {
  path: string;
  name: string;
  children: ReactNode;
  inUseCode?: string;
  forceText?: ReactNode;
  onDone: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [force, setForce] = useState(false);
  const remove = useMutation({
    mutationFn: () => api<void>(`${props.path}${force ? '?force=true' : ''}`, { method: 'DELETE' }),
    onSuccess: () => {
      setOpen(false);
      props.onDone();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === props.inUseCode) setForce(true);
    },
  });
  const inUse = force && remove.error instanceof ApiError && remove.error.code === props.inUseCode;
  return (
    <>
      <Button
        className="danger"
        onPress={() => {
          setForce(false);
          remove.reset();
          setOpen(true);
        }}
      >
        Delete
      </Button>
      <ConfirmDialog
        isOpen={open}
        title={inUse ? `${props.name} is still in use` : `Delete ${props.name}?`}
        destructive
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setOpen(false)}
      >
        {inUse ? (
          <>
            <p>{remove.error?.message}</p>
            <p>{props.forceText}</p>
          </>
        ) : (
          <>
            {props.children}
            <ErrorNote error={remove.error} />
          </>
        )}
      </ConfirmDialog>
    </>
  );
}
