import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Button, Input, Label, SearchField } from 'react-aria-components';
import { api } from '../../api';
import { Choice, TextInput } from '../../components/fields';
import { statusLabel } from '../../components/status-badge';
import { useMe } from '../../me';
import { ROLES, STATUSES } from '../../types';
import { type FilterKey, FILTER_KEYS, type ListParams } from './list-params';
import { roleLabel } from './labels';

const ANY = 'any';
const any = { id: ANY, label: 'Any' };
const SEARCH_PAUSE_MS = 300;

interface Named {
  id: string;
  name?: string;
  displayName?: string;
}

/** The search field: the list follows a pause in typing, or Enter at once. */
export function UserSearch({ list }: { list: ListParams }) {
  const [text, setText] = useState(list.filter.q ?? '');
  const current = list.filter.q ?? '';
  useEffect(() => setText(current), [current]);
  const { setFilter } = list;
  useEffect(() => {
    if (text.trim() === current) return;
    const timer = setTimeout(() => setFilter('q', text.trim() || null), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text, current, setFilter]);
  return (
    <SearchField
      className="field users-search"
      value={text}
      onChange={setText}
      onSubmit={(value) => list.setFilter('q', value.trim() || null)}
      onClear={() => list.setFilter('q', null)}
    >
      <Label>Search users</Label>
      <Input placeholder="Name, email or User ID" />
    </SearchField>
  );
}

/** The filters (status, role, account, group, tag, licence, last sign-in, created), folded away on a small screen. */
export function UserFilters({ list }: { list: ListParams }) {
  const { can } = useMe();
  const { filter } = list;
  const active = FILTER_KEYS.filter((k) => k !== 'q' && filter[k]).length;
  // Open at first when a filter is on (a link or a reload); then as the person leaves it.
  const [open, setOpen] = useState(active > 0);
  // The choices are fetched once the filters are opened: the first page asks for the users only.
  const directory = can('directory.read') && open;
  const accounts = useQuery({
    queryKey: ['accounts', 'choices'],
    queryFn: () => api<{ items: Named[] }>('/accounts?limit=500'),
    enabled: directory,
    staleTime: 60_000,
  });
  const groups = useQuery({
    queryKey: ['groups', 'choices'],
    queryFn: () => api<{ items: Named[] }>('/groups?limit=500'),
    enabled: directory,
    staleTime: 60_000,
  });
  const licences = useQuery({
    queryKey: ['licences'],
    queryFn: () => api<{ items: { key: string; name: string }[] }>('/licences'),
    enabled: directory,
    staleTime: 60_000,
  });
  const choose = (key: FilterKey) => (value: string) => list.setFilter(key, value === ANY ? null : value);

  return (
    <details className="users-filters" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Filters{active ? ` (${active} on)` : ''}</summary>
      <div className="toolbar">
        <Choice
          label="Status"
          value={filter.status ?? ANY}
          options={[any, ...STATUSES.map((s) => ({ id: s, label: statusLabel(s) }))]}
          onChange={choose('status')}
        />
        <Choice
          label="Role"
          value={filter.role ?? ANY}
          options={[any, ...ROLES.map((r) => ({ id: r, label: roleLabel(r) }))]}
          onChange={choose('role')}
        />
        {directory && (
          <>
            <Choice
              label="Account"
              value={filter.accountId ?? ANY}
              options={[any, ...(accounts.data?.items ?? []).map((a) => ({ id: a.id, label: a.name ?? a.id }))]}
              onChange={choose('accountId')}
            />
            <Choice
              label="Group"
              value={filter.groupId ?? ANY}
              options={[any, ...(groups.data?.items ?? []).map((g) => ({ id: g.id, label: g.displayName ?? g.id }))]}
              onChange={choose('groupId')}
            />
            <Choice
              label="Licence"
              value={filter.licence ?? ANY}
              options={[any, ...(licences.data?.items ?? []).map((l) => ({ id: l.key, label: l.name }))]}
              onChange={choose('licence')}
            />
          </>
        )}
        <FilterText label="Tag" value={filter.tag} onCommit={(v) => list.setFilter('tag', v)} />
        <Choice
          label="Signed in"
          value={filter.neverSignedIn ?? ANY}
          options={[any, { id: 'true', label: 'Never' }, { id: 'false', label: 'At least once' }]}
          onChange={choose('neverSignedIn')}
        />
        <DateFilter label="Last sign-in from" name="lastSignInFrom" list={list} />
        <DateFilter label="Last sign-in before" name="lastSignInTo" list={list} />
        <DateFilter label="Created from" name="createdFrom" list={list} />
        <DateFilter label="Created before" name="createdTo" list={list} />
      </div>
      {active > 0 && (
        <Button className="link-button" onPress={() => list.clearFilters()}>
          Clear filters
        </Button>
      )}
    </details>
  );
}

function DateFilter(props: { label: string; name: FilterKey; list: ListParams }) {
  return (
    <TextInput
      label={props.label}
      type="date"
      value={props.list.filter[props.name] ?? ''}
      onChange={(v) => props.list.setFilter(props.name, v || null)}
    />
  );
}

/** A text filter applied when the person leaves the field or presses Enter. */
function FilterText(props: { label: string; value: string | undefined; onCommit: (value: string | null) => void }) {
  const [text, setText] = useState(props.value ?? '');
  useEffect(() => setText(props.value ?? ''), [props.value]);
  const commit = () => text.trim() !== (props.value ?? '') && props.onCommit(text.trim() || null);
  return (
    <form
      className="filter-text"
      onSubmit={(e) => {
        e.preventDefault();
        commit();
      }}
      onBlur={commit}
    >
      <TextInput label={props.label} value={text} onChange={setText} />
    </form>
  );
}
