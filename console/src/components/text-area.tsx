import { Label, Text, TextArea, TextField } from 'react-aria-components';

/** A labelled multi-line text input. */
export function TextAreaInput(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  description?: string;
  rows?: number;
  isRequired?: boolean;
}) {
  return (
    <TextField className="field" value={props.value} onChange={props.onChange} isRequired={props.isRequired}>
      <Label>{props.label}</Label>
      <TextArea rows={props.rows ?? 4} />
      {props.description && <Text slot="description">{props.description}</Text>}
    </TextField>
  );
}

/** The non-empty lines (or comma/space-separated words) of a text area. */
export const linesOf = (text: string, separators = /[\n]+/) =>
  text
    .split(separators)
    .map((s) => s.trim())
    .filter(Boolean);
