import { randomBytes } from 'node:crypto';
import test from 'ava';
import type { Db } from '../../src/db/database.js';
import { GUEST_ACCOUNT_ID } from '../../src/domain/account.js';
import type { Role, Status } from '../../src/domain/user.js';
import { createUsersRepository, type NewUser } from '../../src/repositories/users.js';
import { useMigratedDatabase } from '../helpers/database.js';

const database = useMigratedDatabase(test);
let db: Db;
let users: ReturnType<typeof createUsersRepository>;

test.before(async () => {
  db = await database();
  users = createUsersRepository(db);
});

const tag = () => randomBytes(5).toString('hex');

function newUser(overrides: Partial<NewUser> = {}): NewUser {
  const t = tag();
  return {
    userCode: `U${t}`,
    email: `user.${t}@example.com`,
    status: 'active' as Status,
    mainRole: 'individual' as Role,
    ...overrides,
  };
}

const create = (input: NewUser) => db.transaction((trx) => users.create(input, trx));

async function createAccount(name = `Acme ${tag()}`): Promise<string> {
  const [row] = await db('accounts').insert({ name, kind: 'customer' }).returning('id');
  return row.id;
}

test('create inserts the user with the main employment and main role assignment', async (t) => {
  const input = newUser({
    profile: { givenName: 'Ada', familyName: 'Lovelace' },
    status: 'new',
    mainRole: 'manager',
    passwordHash: 'pw-hash',
  });
  const user = await create(input);

  t.regex(user.id, /^[0-9a-f-]{36}$/);
  t.like(user, {
    userCode: input.userCode,
    email: input.email,
    givenName: 'Ada',
    familyName: 'Lovelace',
    status: 'new',
    mainRole: 'manager',
    mainAccountId: GUEST_ACCOUNT_ID,
    tags: [],
    customAttributes: {},
    lastSignInAt: null,
    version: 1,
  });
  t.false('passwordHash' in user, 'the user object never carries the hash');
  t.false('password_hash' in user);

  const employments = await db('employments').where({ user_id: user.id });
  t.is(employments.length, 1);
  t.like(employments[0], { account_id: GUEST_ACCOUNT_ID, is_main: true });

  t.deepEqual(await users.roleAssignments(user.id), [{ role: 'manager', accountId: null, accountGroupId: null }]);

  const history = await db('password_history').select('password_hash').where({ user_id: user.id });
  t.deepEqual(
    history.map((r) => r.password_hash),
    ['pw-hash'],
  );
  const row = await db('users').select('password_hash', 'password_changed_at').where({ id: user.id }).first();
  t.is(row.password_hash, 'pw-hash');
  t.true(row.password_changed_at instanceof Date);
});

test('create with a main account employs the user there; without a password there is no history', async (t) => {
  const accountId = await createAccount();
  const user = await create(newUser({ mainAccountId: accountId, passwordHash: null }));
  t.is(user.mainAccountId, accountId);
  const employments = await db('employments').where({ user_id: user.id });
  t.is(employments.length, 1);
  t.like(employments[0], { account_id: accountId, is_main: true });
  t.is((await db('password_history').where({ user_id: user.id })).length, 0);
  const row = await db('users').select('password_hash', 'password_changed_at').where({ id: user.id }).first();
  t.is(row.password_hash, null);
  t.is(row.password_changed_at, null);
});

test('a failing create leaves nothing behind', async (t) => {
  const first = newUser();
  await create(first);
  const second = newUser({ userCode: first.userCode.toLowerCase() });
  await t.throwsAsync(create(second));
  t.is((await db('users').whereRaw('lower(email) = lower(?)', [second.email])).length, 0);
});

test('findByAnyIdentifier by id, email and userCode, case-insensitively', async (t) => {
  const t0 = tag();
  const user = await create(newUser({ userCode: `MiXeD${t0}`, email: `First.Last.${t0}@Example.COM` }));

  t.is((await users.findByAnyIdentifier(user.id))?.id, user.id);
  t.is((await users.findByAnyIdentifier(user.id.toUpperCase()))?.id, user.id);
  t.is((await users.findByAnyIdentifier(`first.last.${t0}@example.com`))?.id, user.id);
  t.is((await users.findByAnyIdentifier(`FIRST.LAST.${t0.toUpperCase()}@EXAMPLE.COM`))?.id, user.id);
  t.is((await users.findByAnyIdentifier(`mixed${t0}`))?.id, user.id);
  t.is((await users.findByAnyIdentifier(`MIXED${t0.toUpperCase()}`))?.id, user.id);

  t.is(await users.findByAnyIdentifier(`nobody.${t0}@example.com`), undefined);
  t.is(await users.findByAnyIdentifier('00000000-0000-4000-8000-00000000beef'), undefined);
  t.is(await users.findByAnyIdentifier('not-a-uuid'), undefined);
  t.is(await users.findById('not-a-uuid'), undefined, 'a malformed id is simply not found');
});

test('findByAnyIdentifier does not find a deleted user by any identifier', async (t) => {
  const user = await create(newUser());
  await users.setStatus(user.id, 'deleted');
  t.is(await users.findByAnyIdentifier(user.id), undefined);
  t.is(await users.findByAnyIdentifier(user.email!), undefined);
  t.is(await users.findByAnyIdentifier(user.userCode), undefined);
  t.false(await users.isTaken('email', user.email!));
  t.false(await users.isTaken('user_code', user.userCode));
});

test('email uniqueness is case-insensitive among live users', async (t) => {
  const t0 = tag();
  await create(newUser({ email: `a.${t0}@x.com` }));
  t.true(await users.isTaken('email', `A.${t0}@X.COM`));
  const error = await t.throwsAsync(create(newUser({ email: `A.${t0}@x.com` })));
  t.is((error as { code?: string }).code, '23505', 'a unique violation');
  t.regex(String((error as { constraint?: string }).constraint ?? error?.message), /users_email_key/);
});

test('userCode uniqueness is case-insensitive among live users', async (t) => {
  const t0 = tag();
  await create(newUser({ userCode: `code${t0}` }));
  t.true(await users.isTaken('user_code', `CODE${t0.toUpperCase()}`));
  const error = await t.throwsAsync(create(newUser({ userCode: `CODE${t0}` })));
  t.is((error as { code?: string }).code, '23505');
});

test("a deleted user's email and userCode can be reused", async (t) => {
  const t0 = tag();
  const old = await create(newUser({ email: `reuse.${t0}@x.com`, userCode: `reuse${t0}` }));
  await users.setStatus(old.id, 'deleted');
  const fresh = await create(newUser({ email: `REUSE.${t0}@x.com`, userCode: `REUSE${t0}` }));
  t.not(fresh.id, old.id);
  t.is((await users.findByAnyIdentifier(`reuse.${t0}@x.com`))?.id, fresh.id);
  t.is((await users.findByAnyIdentifier(`reuse${t0}`))?.id, fresh.id);
  t.is((await users.findById(old.id))?.status, 'deleted', 'the deleted user is still there by id');
});

test('setStatus returns the previous status and bumps the version', async (t) => {
  const user = await create(newUser({ status: 'new' }));
  const first = await users.setStatus(user.id, 'active');
  t.is(first?.before, 'new');
  t.is(first?.user.status, 'active');
  t.is(first?.user.version, user.version + 1);

  const second = await users.setStatus(user.id, 'inactive');
  t.is(second?.before, 'active');
  t.is(second?.user.version, user.version + 2);
  t.is((await users.findById(user.id))?.status, 'inactive');

  t.is(await users.setStatus('00000000-0000-4000-8000-00000000f00d', 'active'), undefined);
});

test('setStatus to locked remembers the previous status; leaving locked clears the lock', async (t) => {
  const user = await create(newUser({ status: 'temporary' }));
  await db('users').where({ id: user.id }).update({ failed_attempts: 3 });
  const locked = await users.setStatus(user.id, 'locked');
  t.is(locked?.before, 'temporary');
  let row = await db('users')
    .select('status_before_lock', 'failed_attempts', 'locked_until')
    .where({ id: user.id })
    .first();
  t.is(row.status_before_lock, 'temporary');
  t.is(row.failed_attempts, 3, 'locking keeps the counter');

  const active = await users.setStatus(user.id, 'active');
  t.is(active?.before, 'locked');
  row = await db('users')
    .select('status_before_lock', 'failed_attempts', 'locked_until')
    .where({ id: user.id })
    .first();
  t.is(row.status_before_lock, null);
  t.is(row.failed_attempts, 0);
  t.is(row.locked_until, null);
});

test('locking a user who is locked already keeps the status from before the first lock', async (t) => {
  const user = await create(newUser({ status: 'import' }));
  await users.setStatus(user.id, 'locked');
  const again = await users.setStatus(user.id, 'locked');
  t.is(again?.before, 'locked');
  const row = await db('users').select('status_before_lock').where({ id: user.id }).first();
  t.is(row.status_before_lock, 'import', 'a later unlock or reset brings back "import", not "locked"');
});

test('setStatus inside a transaction', async (t) => {
  const user = await create(newUser());
  const result = await db.transaction((trx) => users.setStatus(user.id, 'pending', trx));
  t.is(result?.before, 'active');
  t.is((await users.findById(user.id))?.status, 'pending');
});

test('roleAssignments lists every assignment of the user, oldest first', async (t) => {
  const user = await create(newUser({ mainRole: 'individual' }));
  const accountId = await createAccount();
  const [group] = await db('account_groups')
    .insert({ name: `Group ${tag()}` })
    .returning('id');
  await db('role_assignments').insert({ user_id: user.id, role: 'hr', account_id: accountId });
  await db('role_assignments').insert({ user_id: user.id, role: 'admin', account_group_id: group.id });
  const other = await create(newUser({ mainRole: 'super_admin' }));

  t.deepEqual(await users.roleAssignments(user.id), [
    { role: 'individual', accountId: null, accountGroupId: null },
    { role: 'hr', accountId, accountGroupId: null },
    { role: 'admin', accountId: null, accountGroupId: group.id },
  ]);
  t.deepEqual(await users.roleAssignments(other.id), [{ role: 'super_admin', accountId: null, accountGroupId: null }]);
  t.deepEqual(await users.roleAssignments('00000000-0000-4000-8000-00000000cafe'), []);
});
