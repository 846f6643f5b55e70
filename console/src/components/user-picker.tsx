import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, ComboBox, Input, Label, ListBox, ListBoxItem, Popover, Text } from 'react-aria-components';
import { api, query } from '../api';
import { nameOf, type Page, type User } from '../types';

/** A user as a picker offers them: their name, and their email or User ID to tell two alike apart. */
export const userOption = (u: User) => `${nameOf(u)} (${u.email ?? u.userCode})`;

/**
 * Find a user by typing part of a name, email or User ID, and pick one (a React Aria
 * combobox over `GET /users?q=`): arrow keys move through the matches, Enter picks.
 */
export function UserPicker(props: {
  label: string;
  onPick: (user: User | null) => void;
  description?: string;
  isDisabled?: boolean;
}) {
  const [text, setText] = useState('');
  const search = text.trim();
  const matches = useQuery({
    queryKey: ['users', 'pick', search],
    queryFn: () => api<Page<User>>(`/users${query({ q: search, limit: 10, sort: 'familyName' })}`),
    enabled: search.length > 0,
  });
  const items = search ? (matches.data?.items ?? []) : [];
  return (
    <ComboBox
      className="field"
      items={items}
      inputValue={text}
      onInputChange={setText}
      onSelectionChange={(key) => props.onPick(items.find((u) => u.id === key) ?? null)}
      isDisabled={props.isDisabled}
      menuTrigger="input"
      // Open while the matches load: they come after the typing.
      allowsEmptyCollection
    >
      <Label>{props.label}</Label>
      <div className="combo">
        <Input />
        <Button aria-label={`Show matches for ${props.label}`}>▾</Button>
      </div>
      {props.description && <Text slot="description">{props.description}</Text>}
      <Popover className="popover">
        <ListBox
          className="listbox"
          renderEmptyState={() => <p className="muted">{matches.isFetching ? 'Searching…' : 'No user matches.'}</p>}
        >
          {(u: User) => (
            <ListBoxItem id={u.id} className="listbox-item" textValue={userOption(u)}>
              {userOption(u)}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
