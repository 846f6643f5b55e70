import type { FormEvent, ReactNode } from 'react';
import { Button, Form } from 'react-aria-components';
import { FormDialog } from './confirm-dialog';
import { ErrorNote } from './fields';

/** A dialog holding a form: its fields, the API's refusal if any, **Cancel** and the submit button. */
export function EditDialog(props: {
  title: string;
  submitLabel: string;
  error: unknown;
  busy: boolean;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  return (
    <FormDialog isOpen title={props.title} onClose={props.onClose}>
      <Form onSubmit={submit}>
        {props.children}
        <ErrorNote error={props.error} />
        <div className="actions">
          <Button onPress={props.onClose}>Cancel</Button>
          <Button type="submit" className="primary" isDisabled={props.busy}>
            {props.submitLabel}
          </Button>
        </div>
      </Form>
    </FormDialog>
  );
}

/** A row's **Edit** and remove buttons, named after the row for people who cannot see the table. */
export function RowActions(props: { name: string; removeLabel: string; onEdit?: () => void; onRemove: () => void }) {
  return (
    <div className="row-actions">
      {props.onEdit && (
        <Button aria-label={`Edit ${props.name}`} onPress={props.onEdit}>
          Edit
        </Button>
      )}
      <Button aria-label={`${props.removeLabel} ${props.name}`} onPress={props.onRemove}>
        {props.removeLabel}
      </Button>
    </div>
  );
}
