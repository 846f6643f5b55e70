import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import test from 'ava';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { createContainer } from '../../src/container.js';
import { createImportJobsRepository } from '../../src/repositories/import-jobs.js';
import { CLI_ACTOR } from '../../src/services/audit.js';
import type { ImportProgress } from '../../src/services/user-import.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import type { Json } from '../helpers/json.js';

/**
 * Interrupted imports end as failed (issue "Hardening", part 3): a job whose
 * process died holds a lease that runs out; whoever reads the job then sees it
 * failed, `import.interrupted`, with no row claimed. The process kill itself:
 * test/integration/import-interrupted.test.ts.
 */
let offset = 0;
const clock = { now: () => new Date(Date.now() + offset) };
const s = adminServerPerFile(test, { IMPORT_LEASE_SECONDS: '30' }, { clock });
const admin = signedInPerFile(test, s, 'admin');

const c = () => s.server.container;
const CSV = { 'content-type': 'text/csv' };
const domain = () => `${randomBytes(4).toString('hex')}.example.com`;
const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;
const countLike = async (pattern: string) =>
  Number((await s.server.db('users').whereRaw('lower(email) LIKE ?', [pattern]).count('* as n').first())!.n);
const SUPER = { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin' as const, scope: { all: true as const } } };

/** Another Gatehouse instance on the same PostgreSQL database, its clock `ahead` ms ahead. */
async function otherInstance(ahead: number) {
  const { host, port, user, database } = s.server.db.client.connectionSettings as {
    host: string;
    port?: number;
    user: string;
    database: string;
  };
  const url = `postgres://${user}@${host}:${port ?? 5432}/${database}`;
  const config = loadConfig({
    DATABASE_URL: url,
    DATABASE_POOL_MAX: '2',
    ISSUER: s.server.url,
    GATEHOUSE_SECRET: 'test-secret-test-secret-test-secret-000',
    DATA_DIR: '/nonexistent',
    LOG_LEVEL: 'silent',
  });
  return createContainer(config, {
    log: pino({ level: 'silent' }),
    clock: { now: () => new Date(Date.now() + ahead) },
  });
}

// One test changes the server's clock: the tests of this file run one at a time.
test.serial(
  'a job left running by a process that died: failed (import.interrupted) once its lease ran out, with no row claimed; GET and the list say so',
  async (t) => {
    // The job row as the import leaves it when its process is killed after 2,000 rows: running, its lease 30 s ahead.
    const jobs = createImportJobsRepository(s.server.db);
    const lease = new Date(clock.now().getTime() + 30_000);
    const job = await jobs.create({
      key: 'email',
      mode: 'add',
      dryRun: false,
      createdBy: 'gatehouse-cli',
      leaseUntil: lease,
    });
    await jobs.progress(job.id, { total: 2000, processed: 2000, created: 2000, updated: 0, failed: 0 }, [], lease);

    const live = await admin.api('GET', `/imports/${job.id}`);
    t.like(
      live.body,
      { status: 'running', processed: 2000, created: 0, updated: 0, error: null, errorCode: null },
      'rows not committed are not counted as created',
    );

    offset += 31_000;
    const read = await admin.api('GET', `/imports/${job.id}`);
    t.is(read.status, 200);
    t.like(read.body, {
      id: job.id,
      status: 'failed',
      errorCode: 'import.interrupted',
      processed: 2000,
      created: 0,
      updated: 0,
    });
    t.regex(read.body.error, /stopped before it finished.*Nothing was written: run the file again/);
    t.truthy(read.body.finishedAt);

    // A second job, its process dead too, is ended by the list.
    const other = await jobs.create({
      key: 'userCode',
      mode: 'upsert',
      dryRun: false,
      createdBy: 'gatehouse-cli',
      leaseUntil: new Date(clock.now().getTime() + 30_000),
    });
    offset += 31_000;
    const list = await admin.api('GET', '/imports');
    t.is(list.status, 200);
    const listed = new Map<string, Json>(list.body.items.map((j: Json) => [j.id, j]));
    t.like(listed.get(other.id), { status: 'failed', errorCode: 'import.interrupted', created: 0 });
    t.like(listed.get(job.id), { status: 'failed', errorCode: 'import.interrupted' });
    t.is((await admin.api('GET', '/imports')).body.items[0].id, other.id, 'newest first');
  },
);

test.serial('a running import keeps its job: its own server never ends it, whatever the time', async (t) => {
  const d = domain();
  const file = new Readable({ read() {} });
  file.push(csv('email', ...Array.from({ length: 1500 }, (_, i) => `k${i}@${d}`)));
  let batched!: () => void;
  const firstBatch = new Promise<void>((resolve) => (batched = resolve));
  const running = c().admin.imports.run(
    file,
    { key: 'email', mode: 'add', dryRun: false },
    SUPER,
    (p) => p.processed === 1000 && batched(),
  );
  await firstBatch;
  offset += 10 * 60_000; // far past its lease: a lease renewal or two may have been missed, the process is alive
  // On PostgreSQL the list answers while the import runs; on embedded PGlite (one connection) once it has committed.
  const listing = admin.api('GET', '/imports');
  if (s.server.dbKind === 'postgresql') t.like((await listing).body.items[0], { status: 'running', created: 0 });
  file.push(null);
  const job = await running;
  const [listed] = (await listing).body.items;
  t.like(listed, { id: job.id, status: s.server.dbKind === 'postgresql' ? 'running' : 'succeeded' });
  t.like(job, { status: 'succeeded', created: 1500, errorCode: null });
  t.is(await countLike(`%@${d}`), 1500);
});

test.serial(
  'another instance ends a job whose lease ran out while its import still runs: the import rolls back, the file then imports whole (PostgreSQL)',
  async (t) => {
    if (s.server.dbKind !== 'postgresql') return t.pass('needs a second instance on the database (PostgreSQL)');
    const d = domain();
    const rows = Array.from({ length: 1500 }, (_, i) => `l${i}@${d}`);
    const file = new Readable({ read() {} });
    file.push(csv('email', ...rows.slice(0, 1200)));
    let batched!: () => void;
    const firstBatch = new Promise<void>((resolve) => (batched = resolve));
    const running = c().admin.imports.run(
      file,
      { key: 'email', mode: 'add', dryRun: false },
      SUPER,
      (p: ImportProgress) => p.processed === 1000 && batched(),
    );
    await firstBatch;

    // An instance whose clock is past the lease (as when this process had stopped renewing it).
    const other = await otherInstance(offset + 10 * 60_000);
    try {
      const [seen] = await other.admin.imports.list();
      t.like(seen, { status: 'failed', errorCode: 'import.interrupted', created: 0 });
      file.push(`${rows.slice(1200).join('\r\n')}\r\n`);
      file.push(null);
      const job = await running;
      t.like(job, { id: seen!.id, status: 'failed', errorCode: 'import.interrupted', created: 0, updated: 0 });
      t.is(await countLike(`%@${d}`), 0, 'the import rolled back: its job had ended');
      t.like(await other.admin.imports.get(job.id), { status: 'failed', errorCode: 'import.interrupted', created: 0 });
    } finally {
      await other.close();
    }

    const again = await admin.api('POST', '/imports?key=email&mode=add', csv('email', ...rows), CSV);
    t.like(again.body, { status: 'succeeded', created: 1500, failed: 0 });
    t.is(await countLike(`%@${d}`), 1500);
  },
);

test.serial(
  "the database ends the import's connection part-way: the job fails with a reason and claims no row (PostgreSQL)",
  async (t) => {
    if (s.server.dbKind !== 'postgresql') return t.pass('needs a second connection (PostgreSQL)');
    const d = domain();
    const file = new Readable({ read() {} });
    file.push(csv('email', ...Array.from({ length: 1200 }, (_, i) => `t${i}@${d}`)));
    let batched!: () => void;
    const firstBatch = new Promise<void>((resolve) => (batched = resolve));
    const running = c().admin.imports.run(
      file,
      { key: 'email', mode: 'add', dryRun: false },
      SUPER,
      (p) => p.processed === 1000 && batched(),
    );
    await firstBatch;
    // The import's transaction waits for more of the file: end its backend, as a database restart would.
    const ended = await s.server.db.raw(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`,
    );
    t.is(ended.rows.length, 1);
    file.push(null);
    const job = await running;
    t.like(job, { status: 'failed', created: 0, updated: 0 });
    t.truthy(job.errorCode);
    t.regex(job.error!, /Nothing was written/);
    t.is(await countLike(`%@${d}`), 0);
  },
);
