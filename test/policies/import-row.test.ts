import test from 'ava';
import { AppError } from '../../src/errors/app-error.js';
import type { Role, Status } from '../../src/domain/user.js';
import type { ImportKey, ImportMode } from '../../src/domain/import-job.js';
import {
  checkImportRow,
  importHeader,
  importRole,
  importStatus,
  matchImportRow,
  type ImportColumn,
} from '../../src/policies/import-row.js';

/** The header: names in any case (spaces, _ and - ignored), every column known, the key present. */
const HEADERS: ReadonlyArray<{ cells: string[]; key: ImportKey; columns?: ImportColumn[]; error?: RegExp }> = [
  { cells: ['email'], key: 'email', columns: ['email'] },
  {
    cells: ['EMAIL', 'Given Name', 'family_name', 'main-role', 'Tags'],
    key: 'email',
    columns: ['email', 'givenName', 'familyName', 'mainRole', 'tags'],
  },
  {
    cells: ['usercode', 'jobTitle', 'department', 'costCenter', 'mainAccount'],
    key: 'userCode',
    columns: ['userCode', 'jobTitle', 'department', 'costCenter', 'mainAccount'],
  },
  { cells: ['email', 'shoeSize'], key: 'email', error: /Unknown column "shoeSize"/ },
  { cells: ['givenName'], key: 'email', error: /key column "email" is missing/ },
  { cells: ['email'], key: 'userCode', error: /key column "userCode" is missing/ },
  { cells: ['email', 'Email'], key: 'email', error: /appears twice/ },
  { cells: ['email', ''], key: 'email', error: /Column 2 has no name/ },
  { cells: ['email', 'password'], key: 'email', error: /Passwords are not imported/ },
  { cells: ['email', 'id'], key: 'email', error: /Unknown column "id"/ },
];
for (const h of HEADERS) {
  test(`header ${JSON.stringify(h.cells)} keyed on ${h.key}: ${h.error ? 'refused' : 'read'}`, (t) => {
    if (!h.error) {
      t.deepEqual(importHeader(h.cells, h.key), h.columns);
      return;
    }
    const err = t.throws(() => importHeader(h.cells, h.key), { instanceOf: AppError });
    t.is(err!.code, 'import.invalid_header');
    t.is(err!.status, 400);
    t.regex(err!.message, h.error);
  });
}

test('statuses by name (any case) or number; locked and deleted are not imported', (t) => {
  const table: [string, Status | undefined][] = [
    ['0', 'inactive'],
    ['1', 'active'],
    ['Active', 'active'],
    ['NEW', 'new'],
    ['import', 'import'],
    ['temporary', 'temporary'],
    ['pending', 'pending'],
    ['inactive', 'inactive'],
    ['locked', undefined],
    ['deleted', undefined],
    ['2', undefined],
    ['yes', undefined],
  ];
  for (const [cell, status] of table) t.is(importStatus(cell), status, cell);
});

test('roles by name in any case', (t) => {
  const table: [string, Role | undefined][] = [
    ['individual', 'individual'],
    ['Manager', 'manager'],
    ['HR', 'hr'],
    ['super admin', 'super_admin'],
    ['Super-Admin', 'super_admin'],
    ['boss', undefined],
  ];
  for (const [cell, role] of table) t.is(importRole(cell), role, cell);
});

const COLUMNS: ImportColumn[] = [
  'email',
  'userCode',
  'givenName',
  'status',
  'mainRole',
  'mainAccount',
  'tags',
  'profileUrl',
];
const row = (values: Partial<Record<ImportColumn, string>>) => COLUMNS.map((c) => values[c] ?? '');
const admin = { key: 'email' as ImportKey, mode: 'upsert' as ImportMode, grantor: 'admin' as Role };

/** Rows: the values given (empty cells left out), or the problems, each with its column and code. */
const ROWS: ReadonlyArray<{
  name: string;
  cells: string[];
  rules?: Partial<typeof admin>;
  values?: object;
  key?: string;
  problems?: [ImportColumn | null, string][];
}> = [
  {
    name: 'a full row, trimmed, tags split on ";"',
    cells: row({
      email: ' Ada@Example.com ',
      userCode: 'ADA1',
      givenName: 'Ada',
      status: '0',
      mainRole: 'Manager',
      mainAccount: 'Acme',
      tags: 'a; b;;a',
    }),
    values: {
      email: 'Ada@Example.com',
      userCode: 'ADA1',
      givenName: 'Ada',
      status: 'inactive',
      mainRole: 'manager',
      mainAccount: 'Acme',
      tags: ['a', 'b'],
    },
    key: 'ada@example.com',
  },
  {
    name: 'empty cells are left out (unchanged on update)',
    cells: row({ email: 'x@example.com' }),
    values: { email: 'x@example.com' },
    key: 'x@example.com',
  },
  {
    name: 'status 1 is active',
    cells: row({ email: 'x@example.com', status: '1' }),
    values: { email: 'x@example.com', status: 'active' },
  },
  {
    name: "the export's formula guard is taken off",
    cells: row({ email: 'x@example.com', givenName: "'=Ada" }),
    values: { email: 'x@example.com', givenName: '=Ada' },
  },
  { name: 'a bad email', cells: row({ email: 'not-an-email' }), problems: [['email', 'import.invalid_email']] },
  { name: 'a blank email key', cells: row({ givenName: 'Ada' }), problems: [['email', 'import.missing_key']] },
  {
    name: 'a bad status and a bad role, both reported',
    cells: row({ email: 'x@example.com', status: 'sleepy', mainRole: 'boss' }),
    problems: [
      ['status', 'import.invalid_status'],
      ['mainRole', 'import.invalid_role'],
    ],
  },
  {
    name: 'locked is not an import status',
    cells: row({ email: 'x@example.com', status: 'locked' }),
    problems: [['status', 'import.invalid_status']],
  },
  {
    name: 'an admin may not grant super_admin',
    cells: row({ email: 'x@example.com', mainRole: 'super_admin' }),
    problems: [['mainRole', 'import.forbidden_role']],
  },
  {
    name: 'a super admin may',
    cells: row({ email: 'x@example.com', mainRole: 'super_admin' }),
    rules: { grantor: 'super_admin' },
    values: { email: 'x@example.com', mainRole: 'super_admin' },
  },
  {
    name: 'an admin may grant admin',
    cells: row({ email: 'x@example.com', mainRole: 'admin' }),
    values: { email: 'x@example.com', mainRole: 'admin' },
  },
  {
    name: 'too long',
    cells: row({ email: 'x@example.com', givenName: 'a'.repeat(201) }),
    problems: [['givenName', 'import.too_long']],
  },
  {
    name: 'a long profileUrl is fine',
    cells: row({ email: 'x@example.com', profileUrl: `https://x.test/${'a'.repeat(1000)}` }),
    values: { email: 'x@example.com', profileUrl: `https://x.test/${'a'.repeat(1000)}` },
  },
  {
    name: 'a NUL character',
    cells: row({ email: 'x@example.com', givenName: 'A\u0000da' }),
    problems: [['givenName', 'import.invalid_value']],
  },
  {
    name: 'too many tags',
    cells: row({ email: 'x@example.com', tags: Array.from({ length: 101 }, (_, i) => `t${i}`).join(';') }),
    problems: [['tags', 'import.invalid_tags']],
  },
  {
    name: 'a row with a cell too many',
    cells: [...row({ email: 'x@example.com' }), 'extra'],
    problems: [[null, 'import.invalid_row']],
  },
  {
    name: 'a row with a cell too few',
    cells: row({ email: 'x@example.com' }).slice(1),
    problems: [[null, 'import.invalid_row']],
  },
  {
    name: 'keyed on userCode, mode add: a blank userCode is generated later',
    cells: row({ email: 'x@example.com' }),
    rules: { key: 'userCode', mode: 'add' },
    values: { email: 'x@example.com' },
    key: undefined,
  },
  {
    name: 'keyed on userCode, mode upsert: a blank userCode is refused',
    cells: row({ email: 'x@example.com' }),
    rules: { key: 'userCode', mode: 'upsert' },
    problems: [['userCode', 'import.missing_key']],
  },
  {
    name: 'keyed on userCode: the key is lower-cased',
    cells: row({ userCode: 'AbC1' }),
    rules: { key: 'userCode', mode: 'update' },
    values: { userCode: 'AbC1' },
    key: 'abc1',
  },
];
for (const r of ROWS) {
  test(`row: ${r.name}`, (t) => {
    const checked = checkImportRow(r.cells, COLUMNS, { ...admin, ...r.rules });
    if (r.problems) {
      t.false(checked.ok);
      if (!checked.ok)
        t.deepEqual(
          checked.problems.map((p) => [p.column, p.code]),
          r.problems,
        );
      return;
    }
    t.true(checked.ok, JSON.stringify(checked));
    if (!checked.ok) return;
    t.deepEqual(checked.row.values, r.values);
    if ('key' in r) t.is(checked.row.key, r.key);
  });
}

/** A good row against the users its key found: the mode, then the importer's role against the user's highest. */
const holder = (mainRole: Role, roles: Role[] = []) => ({ user: { mainRole }, roles });
const MATCHES: ReadonlyArray<{
  mode: ImportMode;
  found: ReturnType<typeof holder>[];
  grantor?: Role;
  code?: string;
  target?: boolean;
}> = [
  { mode: 'add', found: [], target: false },
  { mode: 'upsert', found: [], target: false },
  { mode: 'update', found: [], code: 'import.not_found' },
  { mode: 'add', found: [holder('individual')], code: 'import.exists' },
  { mode: 'update', found: [holder('individual')], target: true },
  { mode: 'upsert', found: [holder('individual'), holder('individual')], code: 'import.ambiguous_key' },
  { mode: 'upsert', found: [holder('individual', ['super_admin'])], grantor: 'admin', code: 'import.forbidden_target' },
  { mode: 'upsert', found: [holder('super_admin')], grantor: 'super_admin', target: true },
];
for (const m of MATCHES) {
  test(`a row matching ${m.found.length} user(s) in mode ${m.mode}: ${m.code ?? (m.target ? 'changes one' : 'creates one')}`, (t) => {
    const match = matchImportRow({ key: 'a@example.com', values: { email: 'a@example.com' } }, m.found, {
      key: 'email',
      mode: m.mode,
      grantor: m.grantor ?? 'admin',
    });
    if (m.code) {
      t.false(match.ok);
      if (!match.ok) t.like(match.problem, { column: 'email', code: m.code });
    } else t.deepEqual(match, m.target ? { ok: true, target: m.found[0] } : { ok: true });
  });
}

test('expiresAt: an ISO date-time with its offset, or a date (the start of that day in UTC)', (t) => {
  const rules = { key: 'email', mode: 'upsert', grantor: 'admin' } as const;
  const check = (cell: string) => checkImportRow(['a@example.com', cell], ['email', 'expiresAt'], rules);
  t.deepEqual(check('2026-12-31'), {
    ok: true,
    row: { key: 'a@example.com', values: { email: 'a@example.com', expiresAt: new Date('2026-12-31T00:00:00Z') } },
  });
  const timed = check('2026-12-31T18:30:00+01:00');
  t.true(timed.ok && timed.row.values.expiresAt?.toISOString() === '2026-12-31T17:30:00.000Z');
  for (const bad of ['31/12/2026', '2026-12-31T18:30:00', '2026-02-30x', 'tomorrow']) {
    const checked = check(bad);
    t.false(checked.ok, bad);
    if (!checked.ok) t.like(checked.problems[0], { column: 'expiresAt', code: 'import.invalid_time' });
  }
});

test("a row may not deactivate the importer's own user nor set an expiry on it", (t) => {
  const me = { user: { id: 'ME', mainRole: 'admin' as const }, roles: [] };
  const rules = { key: 'email', mode: 'upsert', grantor: 'admin', self: ['me'] } as const;
  const row = (values: Record<string, unknown>) => ({ key: 'a@example.com', values: { email: 'a', ...values } });
  t.like(matchImportRow(row({ status: 'inactive' }), [me], rules), {
    ok: false,
    problem: { column: 'status', code: 'import.self_change' },
  });
  t.like(matchImportRow(row({ expiresAt: new Date() }), [me], rules), {
    ok: false,
    problem: { column: 'expiresAt', code: 'import.self_change' },
  });
  t.deepEqual(matchImportRow(row({ status: 'active', jobTitle: 'Boss' }), [me], rules), { ok: true, target: me });
  const other = { user: { id: 'OTHER', mainRole: 'individual' as const }, roles: [] };
  t.deepEqual(matchImportRow(row({ status: 'inactive' }), [other], rules), { ok: true, target: other });
});
