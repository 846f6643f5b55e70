import { Checkbox } from 'react-aria-components';

/** A labelled checkbox (React Aria: the input is real and focusable; the box is drawn by styles.css). */
export function CheckboxField(props: {
  label: string;
  isSelected: boolean;
  onChange: (selected: boolean) => void;
  isDisabled?: boolean;
}) {
  return (
    <Checkbox
      className="checkbox-field"
      isSelected={props.isSelected}
      onChange={props.onChange}
      isDisabled={props.isDisabled}
    >
      <span className="checkbox-box" aria-hidden="true">
        {props.isSelected ? '✓' : ''}
      </span>
      {props.label}
    </Checkbox>
  );
}
