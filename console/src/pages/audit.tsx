import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { api, query } from '../api';
import { CursorPager, useCursors } from '../components/cursor-pager';
import { DataTable } from '../components/data-table';
import { ErrorNote, TextInput } from '../components/fields';
import { NeedsPermission } from '../components/not-allowed-page';
import { PageTitle } from '../components/page-title';
import { UserPicker, userOption } from '../components/user-picker';
import type { User } from '../types';
import { Changes } from './audit/changes';
import { ActorName, type AuditEvent, TargetName } from './audit/names';

interface Filters {
  actor: User | null;
  target: User | null;
  action: string;
  from: string;
  to: string;
}
const NONE: Filters = { actor: null, target: null, action: '', from: '', to: '' };
/** A `datetime-local` value (the administrator's time) as the instant the API takes. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

const COLUMNS: ColumnDef<AuditEvent, unknown>[] = [
  { id: 'at', header: 'Time', cell: ({ row }) => new Date(row.original.at).toLocaleString() },
  { id: 'actor', header: 'Actor', cell: ({ row }) => <ActorName actor={row.original.actor} /> },
  { accessorKey: 'action', header: 'Action' },
  { id: 'target', header: 'Target', cell: ({ row }) => <TargetName event={row.original} /> },
  { id: 'changes', header: 'Changes', cell: ({ row }) => <Changes event={row.original} /> },
];

/** The audit log: who changed what and when, newest first, filtered by actor, target, action and time. */
function Allowed() {
  const [draft, setDraft] = useState<Filters>(NONE);
  const [filters, setFilters] = useState<Filters>(NONE);
  const paging = useCursors();
  /** Bumped by "Clear filters": the pickers start afresh. */
  const [generation, setGeneration] = useState(0);
  const { cursor } = paging;
  const params = {
    actorId: filters.actor?.id,
    userId: filters.target?.id,
    action: filters.action.trim(),
    from: instant(filters.from),
    to: instant(filters.to),
  };
  const events = useQuery({
    queryKey: ['audit', params, cursor],
    queryFn: () => api<{ items: AuditEvent[]; nextCursor: string | null }>(`/audit${query({ ...params, cursor })}`),
  });
  const set = (change: Partial<Filters>) => setDraft({ ...draft, ...change });
  const apply = (next: Filters) => {
    setFilters(next);
    paging.reset();
  };
  return (
    <>
      <PageTitle title="Audit log">Audit log</PageTitle>
      <Form
        className="toolbar"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <UserPicker
          key={`actor-${generation}`}
          label="Actor"
          description={draft.actor ? `Chosen: ${userOption(draft.actor)}` : 'Who acted'}
          onPick={(actor) => set({ actor })}
        />
        <UserPicker
          key={`target-${generation}`}
          label="Target user"
          description={draft.target ? `Chosen: ${userOption(draft.target)}` : 'The user the events are about'}
          onPick={(target) => set({ target })}
        />
        <TextInput
          label="Action"
          value={draft.action}
          onChange={(action) => set({ action })}
          description="Exact, or a prefix ending in *: user.*"
        />
        <TextInput label="From" type="datetime-local" value={draft.from} onChange={(from) => set({ from })} />
        <TextInput label="To" type="datetime-local" value={draft.to} onChange={(to) => set({ to })} />
        <div className="actions">
          <Button type="submit" className="primary">
            Apply filters
          </Button>
          <Button
            onPress={() => {
              setDraft(NONE);
              setGeneration(generation + 1);
              apply(NONE);
            }}
          >
            Clear filters
          </Button>
        </div>
      </Form>
      <ErrorNote error={events.error} />
      <DataTable
        label="Audit events"
        columns={COLUMNS}
        data={events.data?.items ?? []}
        getRowId={(e) => String(e.id)}
        empty={events.isPending ? 'Loading…' : 'No events match.'}
      />
      <CursorPager
        paging={paging}
        nextCursor={events.data?.nextCursor}
        backLabel="Newer events"
        forwardLabel="Older events"
      />
    </>
  );
}

export default function Page() {
  return (
    <NeedsPermission action="audit.read" title="Audit log" heading="Audit log">
      <Allowed />
    </NeedsPermission>
  );
}
