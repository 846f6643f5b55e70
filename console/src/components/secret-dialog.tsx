import type { ReactNode } from 'react';
import { Button, Input, Label, TextField } from 'react-aria-components';
import { FormDialog } from './confirm-dialog';
import { notify } from './toasts';

/**
 * A secret shown once (a client secret, a SCIM token): read-only, selectable, with
 * a **Copy** button. Gatehouse keeps only its hash, so closing the dialog loses it.
 */
export function SecretDialog(props: {
  title: string;
  /** The secret; null: the dialog is closed. */
  secret: string | null;
  label: string;
  onClose: () => void;
  children?: ReactNode;
}) {
  const copy = () =>
    navigator.clipboard.writeText(props.secret ?? '').then(
      () => notify.success('Copied to the clipboard'),
      () => notify.error('Could not copy', 'Select the text and copy it yourself.'),
    );
  return (
    <FormDialog isOpen={props.secret !== null} title={props.title} onClose={props.onClose}>
      {props.children}
      <p>Copy it now: it is shown only this once. Gatehouse keeps only its hash.</p>
      <TextField className="field secret-field" value={props.secret ?? ''} isReadOnly>
        <Label>{props.label}</Label>
        <Input onFocus={(e) => e.currentTarget.select()} />
      </TextField>
      <div className="actions">
        <Button onPress={() => void copy()}>Copy</Button>
        <Button className="primary" onPress={props.onClose}>
          Done
        </Button>
      </div>
    </FormDialog>
  );
}
