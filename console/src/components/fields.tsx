import type { ReactNode } from 'react';
import {
  Button,
  FieldError,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Select,
  SelectValue,
  Text,
  TextField,
} from 'react-aria-components';
import { ApiError } from '../api';

/** A labelled text input (React Aria: label, description and error tied to the input). */
export function TextInput(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'search' | 'url' | 'tel' | 'number' | 'date' | 'datetime-local';
  description?: string;
  isRequired?: boolean;
  isDisabled?: boolean;
  errorMessage?: string;
  name?: string;
  autoComplete?: string;
}) {
  return (
    <TextField
      className="field"
      value={props.value}
      onChange={props.onChange}
      type={props.type}
      isRequired={props.isRequired}
      isDisabled={props.isDisabled}
      isInvalid={Boolean(props.errorMessage)}
      name={props.name}
      autoComplete={props.autoComplete}
    >
      <Label>{props.label}</Label>
      <Input />
      {props.description && <Text slot="description">{props.description}</Text>}
      <FieldError>{props.errorMessage}</FieldError>
    </TextField>
  );
}

/** A labelled choice among a few options. */
export function Choice<T extends string>(props: {
  label: string;
  value: T | null;
  options: readonly { id: T; label: string }[];
  onChange: (value: T) => void;
  isDisabled?: boolean;
  placeholder?: string;
}) {
  return (
    <Select
      className="field"
      selectedKey={props.value}
      onSelectionChange={(key) => props.onChange(key as T)}
      isDisabled={props.isDisabled}
      placeholder={props.placeholder}
    >
      <Label>{props.label}</Label>
      <Button className="select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
      <Popover className="popover">
        <ListBox className="listbox">
          {props.options.map((o) => (
            <ListBoxItem key={o.id} id={o.id} className="listbox-item">
              {o.label}
            </ListBoxItem>
          ))}
        </ListBox>
      </Popover>
    </Select>
  );
}

/** An error from the API (or elsewhere) as an alert. */
export function ErrorNote({ error }: { error: unknown }): ReactNode {
  if (!error) return null;
  const text = error instanceof ApiError ? error.message : 'Something went wrong. Try again.';
  return (
    <p role="alert" className="error-note">
      {text}
    </p>
  );
}
