/** An import job as `GET /imports/{id}` answers it. */
export interface ImportJob {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  key: 'email' | 'userCode';
  mode: 'add' | 'update' | 'upsert';
  dryRun: boolean;
  total: number;
  processed: number;
  created: number;
  updated: number;
  failed: number;
  error: string | null;
  errorCode: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export const KEYS = [
  { id: 'email', label: 'Email' },
  { id: 'userCode', label: 'User ID' },
] as const;

export const MODES = [
  { id: 'add', label: 'Add new users only' },
  { id: 'update', label: 'Update existing users only' },
  { id: 'upsert', label: 'Add new and update existing users' },
] as const;

export const errorsPath = (job: Pick<ImportJob, 'id'>) => `/imports/${job.id}/errors.csv`;
export const errorsFileName = (job: Pick<ImportJob, 'id'>) => `import-${job.id}-errors.csv`;
