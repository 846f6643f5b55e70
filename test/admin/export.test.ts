import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import test from 'ava';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import pino from 'pino';
import { CLI_ACTOR } from '../../src/services/audit.js';
import { createLicencesRepository } from '../../src/repositories/licences.js';
import { createUserExportService } from '../../src/services/user-export.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';

const s = adminServerPerFile(test);
const admin = signedInPerFile(test, s, 'admin');
let token: string;
/** The users of this file: one domain, made by an import. */
const d = `${randomBytes(4).toString('hex')}.example.com`;
test.before(async () => {
  token = await s.tokenOf(admin);
  const rows = [
    `ann@${d},ANN1,Ann,Lee,active,manager,a;b,=SUM(A1)`,
    `bob@${d},BOB1,Bob,Roe,0,,,`,
    `cy@${d},CY1,Cy,Poe,,,,`,
    `dee@${d},DEE1,Dee,Moe,,,x,`,
    `eve@${d},EVE1,Eve,Doe,inactive,,,`,
  ];
  const file = Readable.from([
    `email,userCode,givenName,familyName,status,mainRole,tags,jobTitle\n${rows.join('\n')}\n`,
  ]);
  const job = await s.server.container.admin.imports.run(
    file,
    { key: 'email', mode: 'add', dryRun: false },
    { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin', scope: { all: true } } },
  );
  if (job.created !== 5) throw new Error(`seeding failed: ${JSON.stringify(job)}`);
});

/** A CSV answer as records (the BOM taken off). */
const records = (body: string) => parse(body, { bom: true, columns: true }) as Record<string, string>[];

test('CSV: the default columns, a header row, one line per user, as an attachment; BOM for spreadsheets', async (t) => {
  const res = await admin.api('GET', `/exports/users.csv?q=${d}`);
  t.is(res.status, 200, String(res.body));
  t.regex(res.headers.get('content-type')!, /^text\/csv/);
  t.regex(res.headers.get('content-disposition')!, /^attachment; filename="users-\d{4}-\d{2}-\d{2}\.csv"/);
  t.is(res.headers.get('cache-control'), 'no-store');
  const raw = Buffer.from(
    await (
      await fetch(`${s.base}/exports/users.csv?q=${d}`, { headers: { authorization: `Bearer ${token}` } })
    ).arrayBuffer(),
  );
  t.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 BOM (fetch's text() drops it)");
  const rows = records(res.body);
  t.deepEqual(Object.keys(rows[0]!), [
    'id',
    'userCode',
    'email',
    'givenName',
    'familyName',
    'status',
    'mainRole',
    'mainAccountId',
    'tags',
    'lastSignInAt',
    'createdAt',
  ]);
  t.is(rows.length, 5);
  const ann = rows.find((r) => r.userCode === 'ANN1')!;
  t.like(ann, { email: `ann@${d}`, status: 'active', mainRole: 'manager', tags: 'a;b', lastSignInAt: '' });
  t.regex(ann.id!, /^[0-9a-f-]{36}$/);
  t.regex(ann.createdAt!, /^\d{4}-\d{2}-\d{2}T/);
});

test('CSV: filters, sort and columns are honoured; a formula-like cell is guarded', async (t) => {
  const inactive = records(
    (await admin.api('GET', `/exports/users.csv?q=${d}&status=inactive&sort=-email&columns=email,status`)).body,
  );
  t.deepEqual(inactive, [
    { email: `eve@${d}`, status: 'inactive' },
    { email: `bob@${d}`, status: 'inactive' },
  ]);
  const managers = records(
    (await admin.api('GET', `/exports/users.csv?q=${d}&role=manager&columns=userCode,jobTitle,givenName`)).body,
  );
  t.deepEqual(managers, [{ userCode: 'ANN1', jobTitle: "'=SUM(A1)", givenName: 'Ann' }]);
  const none = await admin.api('GET', `/exports/users.csv?q=nobody-${d}&columns=email`);
  t.is(none.body, 'email\n', 'no users: the header alone');
});

test('CSV: an unknown column or filter value is 400 before anything is sent', async (t) => {
  const res = await admin.api('GET', '/exports/users.csv?columns=email,passwordHash');
  t.is(res.status, 400);
  t.is(res.body.error, 'request.invalid_query');
  t.regex(res.body.message, /columns/);
  t.is((await admin.api('GET', '/exports/users.xlsx?status=sleepy')).status, 400);
});

test('XLSX: a workbook with one sheet, read back with exceljs', async (t) => {
  const res = await fetch(
    `${s.base}/exports/users.xlsx?q=${d}&sort=email&columns=email,givenName,tags,createdAt,lastSignInAt`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  t.regex(res.headers.get('content-disposition')!, /filename="users-[\d-]+\.xlsx"/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(await res.arrayBuffer());
  const sheet = workbook.getWorksheet('Users')!;
  t.truthy(sheet);
  const values = sheet
    .getSheetValues()
    .slice(1)
    .map((row) => (row as unknown[]).slice(1));
  t.deepEqual(values[0], ['email', 'givenName', 'tags', 'createdAt', 'lastSignInAt']);
  t.is(values.length, 6);
  t.deepEqual(
    values.slice(1).map((r) => r[0]),
    [`ann@${d}`, `bob@${d}`, `cy@${d}`, `dee@${d}`, `eve@${d}`],
  );
  t.is(values[1]![2], 'a;b');
  t.true(values[1]![3] instanceof Date, 'times are Excel dates');
  t.is(values[1]![4], undefined, 'an empty cell');
});

test('pages are read by keyset one after another: every user once, in order', async (t) => {
  const exports = createUserExportService({
    search: s.server.repos.search,
    licences: createLicencesRepository(s.server.db),
    log: pino({ level: 'silent' }),
    pageSize: 2,
  });
  const stream = await exports.csv(
    { filter: { q: d }, sort: { key: 'email', descending: false }, columns: ['email'] },
    { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin', scope: { all: true } } },
  );
  let text = '';
  for await (const chunk of stream) text += chunk;
  t.deepEqual(
    records(text).map((r) => r.email),
    [`ann@${d}`, `bob@${d}`, `cy@${d}`, `dee@${d}`, `eve@${d}`],
  );
});

for (const role of ['hr', 'manager'] as const) {
  test(`${role}: 403 on exports`, async (t) => {
    const { api } = await s.as(role);
    for (const path of ['/exports/users.csv', '/exports/users.xlsx']) {
      const res = await api('GET', path);
      t.is(res.status, 403, path);
      t.is(res.body.error, 'admin_api.forbidden');
    }
  });
}
