import { type ReactNode, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { Choice } from '../../components/fields';

/** A choice among what the user does not have yet, and a button that adds it (with more fields, if any). */
export function PickAndAdd(props: {
  label: string;
  options: readonly { id: string; label: string }[];
  button: string;
  busy: boolean;
  onAdd: (id: string) => void;
  children?: ReactNode;
}) {
  const [picked, setPicked] = useState<string | null>(null);
  if (props.options.length === 0) return null;
  return (
    <Form
      className="toolbar"
      onSubmit={(e) => {
        e.preventDefault();
        if (picked) props.onAdd(picked);
        setPicked(null);
      }}
    >
      <Choice label={props.label} value={picked} options={props.options} onChange={setPicked} placeholder="Choose…" />
      {props.children}
      <Button type="submit" isDisabled={!picked || props.busy}>
        {props.button}
      </Button>
    </Form>
  );
}
