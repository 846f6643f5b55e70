import { Checkbox, CheckboxGroup, Label, Text } from 'react-aria-components';

/** One checkbox with its label. */
export function CheckField(props: {
  label: string;
  isSelected: boolean;
  onChange: (selected: boolean) => void;
  isDisabled?: boolean;
}) {
  return (
    <Checkbox className="check" isSelected={props.isSelected} onChange={props.onChange} isDisabled={props.isDisabled}>
      <span className="check-box" aria-hidden="true" />
      {props.label}
    </Checkbox>
  );
}

/** Several checkboxes under one label: the values ticked. */
export function CheckList<T extends string>(props: {
  label: string;
  options: readonly { id: T; label: string }[];
  value: readonly T[];
  onChange: (value: T[]) => void;
  description?: string;
}) {
  return (
    <CheckboxGroup className="check-list" value={[...props.value]} onChange={(v) => props.onChange(v as T[])}>
      <Label>{props.label}</Label>
      {props.description && <Text slot="description">{props.description}</Text>}
      <div className="check-options">
        {props.options.map((o) => (
          <Checkbox key={o.id} value={o.id} className="check">
            <span className="check-box" aria-hidden="true" />
            {o.label}
          </Checkbox>
        ))}
      </div>
    </CheckboxGroup>
  );
}
