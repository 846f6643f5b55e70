import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { api, query } from '../api';
import { Choice, ErrorNote } from '../components/fields';
import { NeedsPermission } from '../components/not-allowed-page';
import { PageTitle } from '../components/page-title';
import { notify } from '../components/toasts';
import { downloadErrors, RecentImports, STATUS_LABELS } from './import/recent-imports';
import { RowErrors } from './import/row-errors';
import { type ImportJob, KEYS, MODES } from './import/types';

const POLL_MS = 500;
const recentImports = () => api<{ items: ImportJob[] }>('/imports');

/**
 * Import users from a CSV file: choose the key and the mode, try a dry run (its bad
 * rows listed), then import, following the job's progress (`GET /imports/{id}`)
 * while the upload request runs.
 */
function Allowed() {
  const client = useQueryClient();
  const fileId = useId();
  const progressId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [key, setKey] = useState<ImportJob['key']>('email');
  const [mode, setMode] = useState<ImportJob['mode']>('upsert');
  /** The jobs there were before this run started: the new one is the one not among them. */
  const [before, setBefore] = useState<Set<string> | null>(null);

  const recent = useQuery({
    queryKey: ['imports'],
    queryFn: recentImports,
    refetchInterval: before ? POLL_MS : false,
  });
  const startedId = before ? recent.data?.items.find((j) => !before.has(j.id))?.id : undefined;
  const live = useQuery({
    queryKey: ['imports', startedId],
    queryFn: () => api<ImportJob>(`/imports/${startedId}`),
    enabled: Boolean(startedId),
    refetchInterval: POLL_MS,
  });

  const run = useMutation({
    mutationFn: async (dryRun: boolean) => {
      if (!file) throw new Error('no file');
      const known = await client.fetchQuery({ queryKey: ['imports'], queryFn: recentImports, staleTime: 0 });
      setBefore(new Set(known.items.map((j) => j.id)));
      return api<ImportJob>(`/imports${query({ key, mode, dryRun })}`, {
        method: 'POST',
        body: file,
        contentType: 'text/csv',
      });
    },
    onSuccess: (job) => {
      if (job.status === 'failed') notify.error('The import failed', job.error ?? undefined);
      else notify.success(job.dryRun ? 'Dry run finished: nothing was written' : 'Import finished');
    },
    onSettled: () => {
      setBefore(null);
      void client.invalidateQueries({ queryKey: ['imports'] });
      void client.invalidateQueries({ queryKey: ['users'] });
    },
  });

  const job = run.data ?? (run.isPending ? live.data : undefined);
  const start = (dryRun: boolean) => file && run.mutate(dryRun);

  return (
    <>
      <PageTitle title="Import">Import users</PageTitle>
      <Form
        className="import-form"
        onSubmit={(e) => {
          e.preventDefault();
          start(false);
        }}
      >
        <div className="field">
          <label htmlFor={fileId}>CSV file</label>
          <input
            id={fileId}
            type="file"
            accept=".csv,text/csv"
            required
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              run.reset();
            }}
          />
        </div>
        <div className="toolbar">
          <Choice label="Key" value={key} options={KEYS} onChange={setKey} />
          <Choice label="Mode" value={mode} options={MODES} onChange={setMode} />
        </div>
        <p className="muted">
          The key column finds existing users. A dry run checks every row and writes nothing; the import writes the good
          rows and skips the bad ones.
        </p>
        <div className="actions">
          <Button isDisabled={!file || run.isPending} onPress={() => start(true)}>
            Dry run
          </Button>
          <Button type="submit" className="primary" isDisabled={!file || run.isPending}>
            Import
          </Button>
        </div>
      </Form>
      <ErrorNote error={run.error} />

      {(run.isPending || job) && (
        <section className="import-result">
          <h2>{job?.dryRun ? 'Dry run' : 'Import'}</h2>
          <label htmlFor={progressId}>Import progress</label>
          <progress
            id={progressId}
            max={Math.max(job?.total ?? 0, 1)}
            value={job ? (job.status === 'running' ? job.processed : Math.max(job.total, 1)) : undefined}
          />
          {job && (
            <>
              <p aria-live="polite">
                {STATUS_LABELS[job.status]}: {job.processed} of {job.total} rows checked.
              </p>
              <dl className="facts">
                <dt>Created</dt>
                <dd>{job.created}</dd>
                <dt>Updated</dt>
                <dd>{job.updated}</dd>
                <dt>Bad rows</dt>
                <dd>{job.failed}</dd>
              </dl>
              {job.error && (
                <p role="alert" className="error-note">
                  {job.error}
                </p>
              )}
              {job.status !== 'running' && job.failed > 0 && (
                <>
                  <h3>Bad rows</h3>
                  <RowErrors job={job} />
                  <div className="actions">
                    <Button onPress={() => void downloadErrors(job)}>Download errors file</Button>
                  </div>
                </>
              )}
            </>
          )}
        </section>
      )}

      <RecentImports jobs={recent.data?.items ?? []} />
    </>
  );
}

export default function Page() {
  return (
    <NeedsPermission action="users.import" title="Import" heading="Import users">
      <Allowed />
    </NeedsPermission>
  );
}
