import { useMutation } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { FormDialog } from '../../components/confirm-dialog';
import { ErrorNote } from '../../components/fields';

/**
 * A button opening a form in a dialog (create, rename): the form's fields are the
 * children; submitting runs `onSubmit`, closes on success, shows the API's refusal.
 */
export function FormAction<R>(props: {
  label: string;
  title: string;
  submitLabel: string;
  onOpen?: () => void;
  onSubmit: () => Promise<R>;
  onDone: (result: R) => void;
  children: ReactNode;
  primary?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const submit = useMutation({
    mutationFn: props.onSubmit,
    onSuccess: (result) => {
      setOpen(false);
      props.onDone(result);
    },
  });
  return (
    <>
      <Button
        className={props.primary ? 'primary' : undefined}
        onPress={() => {
          submit.reset();
          props.onOpen?.();
          setOpen(true);
        }}
      >
        {props.label}
      </Button>
      <FormDialog isOpen={open} title={props.title} onClose={() => setOpen(false)}>
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            submit.mutate();
          }}
        >
          {props.children}
          <ErrorNote error={submit.error} />
          <div className="actions">
            <Button onPress={() => setOpen(false)}>Cancel</Button>
            <Button type="submit" className="primary" isDisabled={submit.isPending}>
              {props.submitLabel}
            </Button>
          </div>
        </Form>
      </FormDialog>
    </>
  );
}
