import type { ReactNode } from 'react';
import { Button } from 'react-aria-components';

/** What the user has of one kind, as a list; each item with its own **Remove**-like button when editable. */
export function RemovableList<T>(props: {
  label: string;
  items: T[];
  empty: string;
  keyOf: (item: T) => string;
  show: (item: T) => ReactNode;
  /** The button's text, and its accessible name (which contains the text, naming the item). */
  button: string;
  buttonName: (item: T) => string;
  onRemove?: (item: T) => void;
}) {
  if (props.items.length === 0) return <p className="muted">{props.empty}</p>;
  const { onRemove } = props;
  return (
    <ul className="plain-list" aria-label={props.label}>
      {props.items.map((item) => (
        <li key={props.keyOf(item)}>
          {props.show(item)}
          {onRemove && (
            <Button aria-label={props.buttonName(item)} onPress={() => onRemove(item)}>
              {props.button}
            </Button>
          )}
        </li>
      ))}
    </ul>
  );
}
