import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import test from 'ava';
import { parse } from 'csv-parse/sync';
import pino from 'pino';
import { serveCliSocket } from '../../src/cli/server-socket.js';
import { cliServices } from '../../src/container.js';
import { GUEST_ACCOUNT_ID } from '../../src/domain/account.js';
import { CLI_ACTOR } from '../../src/services/audit.js';
import type { ImportProgress } from '../../src/services/user-import.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-import-'));
// DATA_DIR: where the CLI finds the server's socket.
const s = adminServerPerFile(test, { DATA_DIR: dataDir });
const admin = signedInPerFile(test, s, 'admin');
// Serial: after the server has closed.
test.serial.after.always(() => rmSync(dataDir, { recursive: true, force: true }));

const db = () => s.server.db;
const CSV = { 'content-type': 'text/csv' };
/** A unique domain per test: the tests of this file run at once. */
const domain = () => `${randomBytes(4).toString('hex')}.example.com`;
const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;
const imported = (api: typeof admin.api, query: string, body: string) => api('POST', `/imports?${query}`, body, CSV);
const userByEmail = (email: string) => db()('users').whereRaw('lower(email) = lower(?)', [email]).first();
const countLike = async (pattern: string) =>
  Number((await db()('users').whereRaw('lower(email) LIKE ?', [pattern]).count('* as n').first())!.n);
async function errorsOf(
  api: typeof admin.api,
  id: string,
): Promise<{ row: string; column: string; code: string; message: string }[]> {
  const res = await api('GET', `/imports/${id}/errors.csv`);
  if (res.status !== 200) throw new Error(`errors.csv answered ${res.status}`);
  return parse(res.body as string, { columns: true });
}

test('a dry run counts exactly and writes no user; the job and its errors stay', async (t) => {
  const d = domain();
  const res = await imported(
    admin.api,
    'key=email&mode=add&dryRun=true',
    csv('email,givenName,status', `a@${d},Ann,`, `b@${d},Bob,0`, 'nope,Nope,', `A@${d},Again,`),
  );
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body, {
    status: 'succeeded',
    key: 'email',
    mode: 'add',
    dryRun: true,
    total: 4,
    processed: 4,
    created: 2,
    updated: 0,
    failed: 2,
    error: null,
  });
  t.truthy(res.body.finishedAt);
  t.is(await countLike(`%@${d}`), 0, 'nothing is written');
  t.is((await admin.api('GET', `/imports/${res.body.id}`)).body.created, 2, 'the job stays');
  t.deepEqual(
    (await errorsOf(admin.api, res.body.id)).map((e) => [e.row, e.column, e.code]),
    [
      ['3', 'email', 'import.invalid_email'],
      ['4', 'email', 'import.duplicate_key'],
    ],
  );
});

test('an import writes the good rows (status import, roles, employment, email, audit) and reports the bad ones by row', async (t) => {
  const d = domain();
  const account = `Acme ${d}`;
  const body = csv(
    '\uFEFFEmail,Given Name,FAMILYNAME,status,mainRole,mainAccount,tags,jobTitle,department,userCode',
    `ann@${d},Ann,Lee,,manager,${account},a;b,Trainer,Sales,`,
    `bob@${d},Bob,Roe,0,,,,,,`,
    `carl@${d},Carl,Poe,sleepy,,,,,,`,
    `dan@${d},Dan,Moe,,super_admin,,,,,`,
    '',
    `ann@${d},Ann,Twice,,,,,,,`,
    `not-an-email,X,Y,,,,,,,`,
    `eve@${d},Eve,Doe,active,boss,,,,,`,
    `fay@${d},Fay,Hoe,1,,${account.toUpperCase()},,,,FAY-${d}`,
    `gus@${d},Gus,Too,few`,
  );
  const res = await imported(admin.api, 'key=email&mode=add', body);
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body, { status: 'succeeded', dryRun: false, total: 9, processed: 9, created: 3, updated: 0, failed: 6 });
  t.regex(res.headers.get('location')!, new RegExp(`/admin/api/imports/${res.body.id}$`));

  const errors = await errorsOf(admin.api, res.body.id);
  t.deepEqual(
    errors.map((e) => [e.row, e.column, e.code]),
    [
      ['3', 'status', 'import.invalid_status'],
      ['4', 'mainRole', 'import.forbidden_role'],
      ['6', 'email', 'import.duplicate_key'],
      ['7', 'email', 'import.invalid_email'],
      ['8', 'mainRole', 'import.invalid_role'],
      ['10', '', 'import.invalid_row'],
    ],
    'rows are numbered from the first data row; the blank line keeps its number',
  );
  t.true(errors.every((e) => e.message.length > 0));

  const ann = await userByEmail(`ann@${d}`);
  t.like(ann, {
    status: 'import',
    given_name: 'Ann',
    family_name: 'Lee',
    main_role: 'manager',
    job_title: 'Trainer',
    department: 'Sales',
  });
  t.deepEqual(ann.tags, ['a', 'b']);
  t.regex(ann.user_code, /^[A-Z2-9]{8}$/, 'a blank userCode is generated');
  const acme = await db()('accounts').whereRaw('lower(name) = lower(?)', [account]).first();
  t.like(acme, { kind: 'customer', name: account }, 'a new account name becomes a customer account');
  const made = await auditEvents(s.server, { target_id: acme.id, action: 'account.created' });
  t.is(made.length, 1, 'the account made by the import is audited once');
  t.like(made[0], { actor_id: admin.id, details: { importJobId: res.body.id } });
  t.is(ann.main_account_id, acme.id);
  t.deepEqual(await db()('employments').where({ user_id: ann.id }).select('account_id', 'is_main'), [
    { account_id: acme.id, is_main: true },
  ]);
  t.deepEqual(await db()('role_assignments').where({ user_id: ann.id }).select('role', 'account_id'), [
    { role: 'manager', account_id: null },
  ]);
  t.like(await db()('user_values').where({ user_id: ann.id }).first(), {
    attribute: 'emails',
    position: 0,
    value: `ann@${d}`,
    type: 'work',
    is_primary: true,
  });
  const audit = await auditEvents(s.server, { target_id: ann.id, action: 'user.imported_created' }).first();
  t.like(audit, { actor_type: 'user', actor_id: admin.id, target_type: 'user' });
  t.deepEqual(audit.changes.status, [null, 'import']);
  t.is(audit.details.importJobId, res.body.id);

  const bob = await userByEmail(`bob@${d}`);
  t.like(
    bob,
    { status: 'inactive', main_role: 'individual', main_account_id: GUEST_ACCOUNT_ID },
    'status "0" is inactive',
  );
  const fay = await userByEmail(`fay@${d}`);
  t.like(
    fay,
    { status: 'active', user_code: `FAY-${d}`, main_account_id: acme.id },
    'status "1" is active; account names are case-insensitive',
  );
  t.is(await countLike(`%@${d}`), 3);

  // The same file again, mode add: every good row now exists.
  const again = await imported(admin.api, 'key=email&mode=add', csv('email', `ann@${d}`, `BOB@${d}`));
  t.like(again.body, { created: 0, failed: 2 });
  t.deepEqual(
    (await errorsOf(admin.api, again.body.id)).map((e) => e.code),
    ['import.exists', 'import.exists'],
  );
});

test('update: empty cells leave fields unchanged, keys compare case-insensitively, missing keys and users above the importer are bad rows', async (t) => {
  const d = domain();
  const ann = await s.server.createUser({ email: `ann@${d}`, givenName: 'Ann', familyName: 'Lee', role: 'individual' });
  const boss = await s.server.createUser({ email: `boss@${d}`, role: 'super_admin' });
  await db()('users')
    .where({ id: ann.id })
    .update({ job_title: 'Trainer', tags: ['keep'] });
  const before = await userByEmail(`ann@${d}`);
  const res = await imported(
    admin.api,
    'key=email&mode=update',
    csv(
      'email,givenName,familyName,jobTitle,mainRole,status,mainAccount,userCode',
      `ANN@${d},Annie,,,hr,inactive,Beta ${d},ANN-${d}`,
      `ghost@${d},G,,,,,,`,
      `boss@${d},Big,,,,,,`,
    ),
  );
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body, { created: 0, updated: 1, failed: 2 });
  t.deepEqual(
    (await errorsOf(admin.api, res.body.id)).map((e) => [e.row, e.code]),
    [
      ['2', 'import.not_found'],
      ['3', 'import.forbidden_target'],
    ],
  );

  const after = await userByEmail(`ann@${d}`);
  t.like(after, {
    email: `ann@${d}`,
    given_name: 'Annie',
    family_name: 'Lee',
    job_title: 'Trainer',
    main_role: 'hr',
    status: 'inactive',
    user_code: `ANN-${d}`,
    version: before.version + 1,
  });
  t.deepEqual(after.tags, ['keep']);
  t.deepEqual(
    await db()('role_assignments').where({ user_id: ann.id }).pluck('role'),
    ['hr'],
    'the old main role gives way to the new one',
  );
  const beta = await db()('accounts')
    .whereRaw('lower(name) = lower(?)', [`Beta ${d}`])
    .first();
  t.is(after.main_account_id, beta.id);
  t.deepEqual(
    (await db()('employments').where({ user_id: ann.id }).select('account_id', 'is_main')).sort(
      (a, b) => Number(b.is_main) - Number(a.is_main),
    ),
    [
      { account_id: beta.id, is_main: true },
      { account_id: GUEST_ACCOUNT_ID, is_main: false },
    ],
  );
  const audit = await auditEvents(s.server, { target_id: ann.id, action: 'user.imported_updated' }).first();
  t.deepEqual(audit.changes.givenName, ['Ann', 'Annie']);
  t.deepEqual(audit.changes.status, ['active', 'inactive']);
  t.false('familyName' in audit.changes, 'only what changed');
  t.like(await userByEmail(`boss@${d}`), { given_name: 'Test' }, 'an admin cannot change a super admin');
  t.is(boss.email, `boss@${d}`);
});

test('keyed on userCode: the email may change (and must be free); the primary email follows', async (t) => {
  const d = domain();
  const ann = await s.server.createUser({ email: `ann@${d}`, userCode: `ANN-${d}` });
  await s.server.createUser({ email: `taken@${d}`, userCode: `TAKEN-${d}` });
  const res = await imported(
    admin.api,
    'key=userCode&mode=update',
    csv('userCode,email', `ann-${d},new@${d}`, `TAKEN-${d},new@${d}`, `TAKEN-${d},x@${d}`),
  );
  t.like(res.body, { updated: 1, failed: 2 });
  t.deepEqual(
    (await errorsOf(admin.api, res.body.id)).map((e) => [e.row, e.column, e.code]),
    [
      ['2', 'email', 'import.duplicate_email'],
      ['3', 'userCode', 'import.duplicate_key'],
    ],
  );
  t.like(await db()('users').where({ id: ann.id }).first(), { email: `new@${d}`, user_code: `ANN-${d}` });
  t.deepEqual(await db()('user_values').where({ user_id: ann.id, attribute: 'emails' }).pluck('value'), [`new@${d}`]);
  const clash = await imported(admin.api, 'key=userCode&mode=update', csv('userCode,email', `ann-${d},taken@${d}`));
  t.deepEqual(
    (await errorsOf(admin.api, clash.body.id)).map((e) => e.code),
    ['import.email_taken'],
  );
});

test('emailVerified: a changed email is not verified unless the row says so; a column sets it on new and known users', async (t) => {
  const d = domain();
  const known = await Promise.all(
    ['ann', 'bob', 'cid'].map((n) => s.server.createUser({ email: `${n}@${d}`, userCode: `${n}-${d}` })),
  );
  await db()('users')
    .whereIn(
      'id',
      known.map((u) => u.id),
    )
    .update({ email_verified: true });
  const res = await imported(
    admin.api,
    'key=userCode&mode=upsert',
    csv(
      'userCode,email,emailVerified',
      `ann-${d},ann.moved@${d},`,
      `bob-${d},bob.moved@${d},yes`,
      `cid-${d},CID@${d},`,
      `dee-${d},dee@${d},true`,
      `eve-${d},eve@${d},`,
      `fay-${d},fay@${d},maybe`,
    ),
  );
  t.like(res.body, { created: 2, updated: 3, failed: 1 }, JSON.stringify(res.body));
  t.deepEqual(
    (await errorsOf(admin.api, res.body.id)).map((e) => [e.row, e.column, e.code]),
    [['6', 'emailVerified', 'import.invalid_value']],
  );
  const verified = async (code: string) =>
    (await db()('users').whereRaw('lower(user_code) = ?', [code]).first())?.email_verified;
  t.false(await verified(`ann-${d}`), 'a changed email is not verified');
  t.true(await verified(`bob-${d}`), 'unless the row says so');
  t.true(await verified(`cid-${d}`), 'the same email (any case) stays verified');
  t.true(await verified(`dee-${d}`));
  t.false(await verified(`eve-${d}`));
  const [annUpdated] = await auditEvents(s.server, { target_id: known[0]!.id, action: 'user.imported_updated' });
  t.deepEqual(annUpdated?.changes.emailVerified, [true, false]);
});

test('upsert: creates the new, updates the known; nothing to change still matches', async (t) => {
  const d = domain();
  await s.server.createUser({ email: `old@${d}`, givenName: 'Old' });
  const res = await imported(
    admin.api,
    'key=email&mode=upsert',
    csv('email,givenName', `old@${d},Older`, `new@${d},New`, `old2@${d},`),
  );
  t.like(res.body, { created: 2, updated: 1, failed: 0 });
  t.like(await userByEmail(`old@${d}`), { given_name: 'Older' });
  t.like(await userByEmail(`new@${d}`), { given_name: 'New', status: 'import' });
  const same = await imported(admin.api, 'key=email&mode=upsert', csv('email,givenName', `old@${d},Older`));
  t.like(same.body, { created: 0, updated: 1 });
  t.is(
    Number(
      (await auditEvents(s.server, { action: 'user.imported_updated', target_id: (await userByEmail(`old@${d}`)).id })
        .count('* as n')
        .first())!.n,
    ),
    1,
    'a row that changes nothing writes nothing',
  );
});

test('keyed on userCode, mode add: blank userCodes are generated, given ones kept', async (t) => {
  const d = domain();
  const res = await imported(
    admin.api,
    'key=userCode&mode=add',
    csv('userCode,email', `,a@${d}`, `,b@${d}`, `C-${d},c@${d}`, `,a@${d}`),
  );
  t.like(res.body, { created: 3, failed: 1 });
  const codes = (await db()('users')
    .whereRaw('email LIKE ?', [`%@${d}`])
    .orderBy('email')
    .pluck('user_code')) as string[];
  t.regex(codes[0]!, /^[A-Z2-9]{8}$/);
  t.regex(codes[1]!, /^[A-Z2-9]{8}$/);
  t.not(codes[0], codes[1]);
  t.is(codes[2], `C-${d}`);
});

test('a file that breaks off part-way (an unterminated quote after 1,200 good rows) writes no user; the job says why', async (t) => {
  const d = domain();
  const rows = Array.from({ length: 1200 }, (_, i) => `u${i}@${d},User ${i}`);
  const body = csv('email,givenName', ...rows, `broken@${d},"Unterminated`, `late@${d},Late`);
  const res = await imported(admin.api, 'key=email&mode=add', body);
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body, { status: 'failed', created: 0, updated: 0 });
  t.true(res.body.processed >= 1000, 'the first batch had been written before the fault');
  t.regex(res.body.error, /not valid CSV.*Quote Not Closed/i);
  t.regex(res.body.error, /Nothing was written/);
  t.is(await countLike(`%@${d}`), 0, 'the whole import rolled back');
  t.falsy(
    await auditEvents(s.server, { action: 'user.imported_created' })
      .whereRaw("details->>'importJobId' = ?", [res.body.id])
      .first(),
  );
});

test('a database fault part-way (a user created meanwhile with an email of the file) rolls every row back', async (t) => {
  if (s.server.dbKind !== 'postgresql') return t.pass('needs a second connection (PostgreSQL)');
  const d = domain();
  const c = s.server.container;
  // Another transaction holds a user with the email of row 1500, not yet committed: the import cannot see it.
  const other = await s.server.db.transaction();
  await other('users').insert({ user_code: `RACE-${d}`, email: `u1499@${d}`, status: 'active' });
  const file = Readable.from([csv('email', ...Array.from({ length: 2000 }, (_, i) => `u${i}@${d}`))]);
  let firstBatch!: () => void;
  const batched = new Promise<void>((resolve) => (firstBatch = resolve));
  const running = c.admin.imports.run(
    file,
    { key: 'email', mode: 'add', dryRun: false },
    { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin', scope: { all: true } } },
    (p) => p.processed === 1000 && firstBatch(),
  );
  let finished = false;
  void running.finally(() => (finished = true));
  await batched;
  // Until the second batch waits on the unique index (the other transaction's row), whatever the machine's speed.
  const waitsOnLock = async () =>
    (
      await s.server.db.raw(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      )
    ).rows[0].n > 0;
  while (!finished && !(await waitsOnLock())) await new Promise((r) => setTimeout(r, 20));
  await other.commit();
  const job = await running;
  t.like(job, { status: 'failed', created: 0 });
  t.regex(job.error!, /database refused the import \(23505/);
  t.is(await countLike(`%@${d}`), 1, "only the other transaction's user exists");
});

test('progress is on the job row while the import runs (PostgreSQL)', async (t) => {
  const d = domain();
  const c = s.server.container;
  const seen: Promise<number>[] = [];
  const progress: ImportProgress[] = [];
  const file = Readable.from([csv('email', ...Array.from({ length: 2500 }, (_, i) => `p${i}@${d}`))]);
  const job = await c.admin.imports.run(
    file,
    { key: 'email', mode: 'add', dryRun: false },
    { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin', scope: { all: true } } },
    (p) => {
      progress.push(p);
      if (s.server.dbKind === 'postgresql' && p.processed < 2500)
        seen.push(
          db()('import_jobs')
            .where({ status: 'running' })
            .max('processed as n')
            .first()
            .then((r) => Number(r!.n)),
        );
    },
  );
  t.like(job, { status: 'succeeded', created: 2500, createdBy: 'gatehouse-cli' });
  t.deepEqual(
    progress.map((p) => p.processed),
    [1000, 2000, 2500],
  );
  t.true(progress.at(-1)!.bytes > 2500 * 10);
  if (s.server.dbKind === 'postgresql')
    t.true(
      (await Promise.all(seen)).some((n) => n >= 1000),
      'another connection sees the counters move',
    );
});

test('the request: 415 unless text/csv; a bad header is 400 before any job; a missing key or mode is 400; unknown job 404', async (t) => {
  const a = await s.as('admin');
  t.is((await a.api('POST', '/imports?key=email&mode=add', { email: 'x' })).status, 415);
  const unknown = await imported(a.api, 'key=email&mode=add', csv('email,shoeSize', 'x@example.com,42'));
  t.is(unknown.status, 400);
  t.is(unknown.body.error, 'import.invalid_header');
  t.regex(unknown.body.message, /shoeSize/);
  const noKey = await imported(a.api, 'key=userCode&mode=add', csv('email', 'x@example.com'));
  t.like(noKey.body, { error: 'import.invalid_header' });
  t.like((await imported(a.api, 'key=email&mode=add', '')).body, { error: 'import.invalid_header' });
  t.is(
    Number((await db()('import_jobs').where({ created_by: a.id }).count('* as n').first())!.n),
    0,
    'no job was made',
  );
  t.is((await imported(a.api, 'key=email', csv('email'))).status, 400);
  t.is((await imported(a.api, 'key=phone&mode=add', csv('email'))).status, 400);
  t.is((await a.api('GET', '/imports/00000000-0000-4000-8000-000000000000')).status, 404);
  t.is((await a.api('GET', '/imports/not-a-uuid/errors.csv')).status, 404);
  // A file declared larger than 256 MiB is refused before a byte of it is stored.
  const token = await s.tokenOf(a);
  const declared = await new Promise<number>((resolve, reject) => {
    const req = request(
      `${s.base}/imports?key=email&mode=add`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'text/csv',
          'content-length': String(257 * 2 ** 20),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      },
    );
    req.on('error', reject);
    req.write('email\n');
  });
  t.is(declared, 413);
});

for (const role of ['hr', 'manager'] as const) {
  test(`${role}: 403 on imports`, async (t) => {
    const { api } = await s.as(role);
    const res = await imported(api, 'key=email&mode=add', csv('email', `x@${domain()}`));
    t.is(res.status, 403);
    t.is(res.body.error, 'admin_api.forbidden');
    t.is((await api('GET', '/imports/00000000-0000-4000-8000-000000000000')).status, 403);
  });
}

/** The `gatehouse` command as a process. */
function cli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = new URL('../..', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/gatehouse.js'), ...args], {
      cwd,
      env: {
        ...(process.env as Record<string, string>),
        LOG_LEVEL: 'warn',
        GATEHOUSE_SECRET: 'cli-test-secret-cli-test-secret-0000',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('gatehouse import: sent to the server that owns the embedded database; a relative FILE, progress lines on stderr, the job on stdout', async (t) => {
  const socket = await serveCliSocket(cliServices(s.server.container), pino({ level: 'silent' }));
  t.teardown(() => socket.close());
  const d = domain();
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-import-cwd-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  writeFileSync(
    join(work, 'people.csv'),
    csv('email,givenName', ...Array.from({ length: 2500 }, (_, i) => `c${i}@${d},C${i}`), 'bad,Bad'),
  );
  const env = { DATA_DIR: dataDir, DATABASE_URL: '' };

  const dry = await cli(['import', 'people.csv', '--key', 'email', '--mode', 'add', '--dry-run'], env, work);
  t.is(dry.code, 0, dry.stderr);
  t.like(JSON.parse(dry.stdout), { status: 'succeeded', dryRun: true, created: 2500, failed: 1 });
  t.is(await countLike(`%@${d}`), 0);

  const real = await cli(['import', 'people.csv', '--key', 'email', '--mode', 'add'], env, work);
  t.is(real.code, 0, real.stderr);
  const job = JSON.parse(real.stdout);
  t.like(job, { status: 'succeeded', dryRun: false, created: 2500, failed: 1 });
  t.regex(real.stderr, /import: \d+% /, 'progress on stderr');
  t.regex(real.stderr, /100%/);
  t.is(await countLike(`%@${d}`), 2500);
  t.like(
    await auditEvents(s.server, { action: 'user.imported_created' })
      .whereRaw("details->>'importJobId' = ?", [job.id])
      .first(),
    { actor_type: 'cli' },
  );

  const missing = await cli(['import', 'nothing.csv', '--key', 'email', '--mode', 'add'], env, work);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /cannot read .*nothing\.csv/);
  const usage = await cli(['import', 'people.csv', '--key', 'phone', '--mode', 'add'], env, work);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /--key must be email or userCode/);
});
