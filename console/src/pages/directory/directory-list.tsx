import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useState } from 'react';
import { api, query } from '../../api';
import { DataTable } from '../../components/data-table';
import { ErrorNote, TextInput } from '../../components/fields';
import { OffsetPager } from '../../components/offset-pager';
import type { Listing } from './types';

const LIMIT = 50;

/**
 * A list of the directory (accounts, account groups, groups): a search box, the table,
 * paging by offset, and what the role may add (`actions`).
 */
export function DirectoryList<T extends { id: string }>(props: {
  path: string;
  label: string;
  searchLabel: string;
  columns: ColumnDef<T, unknown>[];
  filters?: Record<string, string | undefined>;
  children?: ReactNode;
}) {
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useQuery({
    queryKey: [props.path, 'list', q, offset, props.filters],
    queryFn: () => api<Listing<T>>(`${props.path}${query({ q, limit: LIMIT, offset, ...props.filters })}`),
  });
  return (
    <>
      <div className="toolbar">
        <TextInput
          label={props.searchLabel}
          type="search"
          value={q}
          onChange={(v) => {
            setQ(v);
            setOffset(0);
          }}
        />
        {props.children}
      </div>
      <ErrorNote error={list.error} />
      <DataTable
        label={props.label}
        columns={props.columns}
        data={list.data?.items ?? []}
        getRowId={(r) => r.id}
        empty={list.isPending ? 'Loading…' : 'None found.'}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total ?? 0} onChange={setOffset} />
    </>
  );
}
