import { randomBytes } from 'node:crypto';
import test from 'ava';
import type { Db } from '../../src/db/database.js';
import type { Status } from '../../src/domain/user.js';
import { createCredentialsRepository } from '../../src/repositories/credentials.js';
import { createUsersRepository } from '../../src/repositories/users.js';
import { useMigratedDatabase } from '../helpers/database.js';

const database = useMigratedDatabase(test);
let db: Db;
let users: ReturnType<typeof createUsersRepository>;
let credentials: ReturnType<typeof createCredentialsRepository>;

test.before(async () => {
  db = await database();
  users = createUsersRepository(db);
  credentials = createCredentialsRepository(db);
});

const MINUTE = 60_000;

async function createUser(
  options: { status?: Status; passwordHash?: string | null; email?: string | null; userCode?: string } = {},
) {
  const tag = randomBytes(5).toString('hex');
  const userCode = options.userCode ?? `U${tag}`;
  const email = options.email === undefined ? `user.${tag}@example.com` : options.email;
  return db.transaction((trx) =>
    users.create(
      {
        userCode,
        email,
        status: options.status ?? 'active',
        mainRole: 'individual',
        passwordHash: options.passwordHash === undefined ? `hash-${tag}` : options.passwordHash,
      },
      trx,
    ),
  );
}

const userRow = (id: string) =>
  db('users')
    .select(
      'status',
      'status_before_lock',
      'locked_until',
      'failed_attempts',
      'password_hash',
      'password_changed_at',
      'last_sign_in_at',
      'version',
    )
    .where({ id })
    .first();

test('20 parallel reserveAttempt(max 5): exactly 5 slots, numbered 1..5, the rest null', async (t) => {
  const user = await createUser();
  const results = await Promise.all(Array.from({ length: 20 }, () => credentials.reserveAttempt(user.id, 5)));
  const granted = results.filter((r): r is number => r !== null);
  t.is(granted.length, 5);
  t.is(results.filter((r) => r === null).length, 15);
  t.deepEqual(
    [...granted].sort((a, b) => a - b),
    [1, 2, 3, 4, 5],
    'every slot number handed out once',
  );
  t.is(await credentials.failedAttempts(user.id), 5);
  t.is((await userRow(user.id)).failed_attempts, 5);
  t.is(await credentials.reserveAttempt(user.id, 5), null, 'still full afterwards');
});

test('reserveAttempt of an unknown user is null', async (t) => {
  t.is(await credentials.reserveAttempt('00000000-0000-4000-8000-00000000dead', 5), null);
});

test('resetAttempts frees the counter', async (t) => {
  const user = await createUser();
  for (let i = 0; i < 3; i++) await credentials.reserveAttempt(user.id, 5);
  t.is(await credentials.failedAttempts(user.id), 3);
  await credentials.resetAttempts(user.id);
  t.is(await credentials.failedAttempts(user.id), 0);
  t.is(await credentials.reserveAttempt(user.id, 5), 1, 'counting starts again at 1');
});

test('recordSuccess frees the counter, sets the status and last sign-in, and stores a rehash', async (t) => {
  const user = await createUser({ status: 'new', passwordHash: 'old-hash' });
  await credentials.reserveAttempt(user.id, 5);
  await credentials.reserveAttempt(user.id, 5);
  await credentials.recordSuccess(user.id, 'active', null);
  let row = await userRow(user.id);
  t.is(row.failed_attempts, 0);
  t.is(row.status, 'active');
  t.true(row.last_sign_in_at instanceof Date);
  t.is(row.password_hash, 'old-hash', 'no rehash leaves the hash alone');

  await credentials.recordSuccess(user.id, 'active', 'rehashed');
  row = await userRow(user.id);
  t.is(row.password_hash, 'rehashed');
});

test('lock sets locked and remembers the previous status; a second lock returns false', async (t) => {
  const user = await createUser({ status: 'temporary' });
  const until = new Date(Date.now() + 15 * MINUTE);
  const versionBefore = (await userRow(user.id)).version;

  t.true(await credentials.lock(user.id, until));
  let row = await userRow(user.id);
  t.is(row.status, 'locked');
  t.is(row.status_before_lock, 'temporary');
  t.is(new Date(row.locked_until).getTime(), until.getTime());
  t.is(row.version, versionBefore + 1);

  t.false(await credentials.lock(user.id, new Date(Date.now() + 60 * MINUTE)));
  row = await userRow(user.id);
  t.is(row.status_before_lock, 'temporary', 'the second lock does not overwrite the remembered status with locked');
  t.is(new Date(row.locked_until).getTime(), until.getTime(), 'nor extend the lock');
  t.is(row.version, versionBefore + 1);
});

test('parallel locks: exactly one wins', async (t) => {
  const user = await createUser({ status: 'active' });
  const until = new Date(Date.now() + 15 * MINUTE);
  const results = await Promise.all(Array.from({ length: 8 }, () => credentials.lock(user.id, until)));
  t.is(results.filter(Boolean).length, 1);
  t.is((await userRow(user.id)).status_before_lock, 'active');
});

test('unlockExpired lifts a timed lock only once it has run out, restoring the previous status', async (t) => {
  const user = await createUser({ status: 'new' });
  const until = new Date(Date.now() + 15 * MINUTE);
  await credentials.reserveAttempt(user.id, 5);
  await credentials.lock(user.id, until);

  t.false(await credentials.unlockExpired(user.id, new Date()), 'still running');
  t.false(await credentials.unlockExpired(user.id, new Date(until.getTime() - 1)), '1 ms before the end');
  t.is((await userRow(user.id)).status, 'locked');

  t.true(await credentials.unlockExpired(user.id, until), 'ends exactly at locked_until');
  const row = await userRow(user.id);
  t.is(row.status, 'new');
  t.is(row.status_before_lock, null);
  t.is(row.locked_until, null);
  t.is(row.failed_attempts, 0);
  t.false(await credentials.unlockExpired(user.id, new Date(until.getTime() + MINUTE)), 'a second unlock does nothing');
});

test('unlockExpired never lifts a lock that waits for a password reset', async (t) => {
  const user = await createUser();
  await credentials.lock(user.id, null);
  t.false(await credentials.unlockExpired(user.id, new Date(Date.now() + 365 * 24 * 60 * MINUTE)));
  t.is((await userRow(user.id)).status, 'locked');
});

test('unlockExpired does not touch a user who is not locked', async (t) => {
  const user = await createUser({ status: 'inactive' });
  t.false(await credentials.unlockExpired(user.id, new Date()));
  t.is((await userRow(user.id)).status, 'inactive');
});

test('setPassword with unlock clears the lock and the counter and records the history', async (t) => {
  const user = await createUser({ status: 'import', passwordHash: 'first' });
  for (let i = 0; i < 5; i++) await credentials.reserveAttempt(user.id, 5);
  await credentials.lock(user.id, null);

  await db.transaction((trx) => credentials.setPassword(user.id, 'second', { unlock: true }, trx));
  const row = await userRow(user.id);
  t.is(row.status, 'import', 'the status from before the lock comes back');
  t.is(row.status_before_lock, null);
  t.is(row.locked_until, null);
  t.is(row.failed_attempts, 0);
  t.is(row.password_hash, 'second');
  t.true(row.password_changed_at instanceof Date);
  t.deepEqual(await credentials.recentPasswordHashes(user.id, 10), ['second', 'first']);
});

test('setPassword without unlock leaves a lock in place but still records the history', async (t) => {
  const user = await createUser({ passwordHash: 'first' });
  await credentials.reserveAttempt(user.id, 5);
  await credentials.lock(user.id, null);
  await db.transaction((trx) => credentials.setPassword(user.id, 'second', { unlock: false }, trx));
  const row = await userRow(user.id);
  t.is(row.status, 'locked');
  t.is(row.status_before_lock, 'active');
  t.is(row.failed_attempts, 1);
  t.is(row.password_hash, 'second');
  t.deepEqual(await credentials.recentPasswordHashes(user.id, 10), ['second', 'first']);
});

test('setPassword with unlock on a user who is not locked keeps their status', async (t) => {
  const user = await createUser({ status: 'temporary', passwordHash: null });
  await db.transaction((trx) => credentials.setPassword(user.id, 'only', { unlock: true }, trx));
  t.is((await userRow(user.id)).status, 'temporary');
  t.deepEqual(await credentials.recentPasswordHashes(user.id, 5), ['only']);
});

test('recentPasswordHashes: newest first, limited to n', async (t) => {
  const user = await createUser({ passwordHash: 'h0' });
  await db.transaction(async (trx) => {
    // In one transaction every row has the same created_at: the order must not rely on it.
    for (const hash of ['h1', 'h2', 'h3']) await credentials.setPassword(user.id, hash, { unlock: false }, trx);
  });
  await db.transaction((trx) => credentials.setPassword(user.id, 'h4', { unlock: false }, trx));
  t.deepEqual(await credentials.recentPasswordHashes(user.id, 3), ['h4', 'h3', 'h2']);
  t.deepEqual(await credentials.recentPasswordHashes(user.id, 10), ['h4', 'h3', 'h2', 'h1', 'h0']);
  t.deepEqual(await credentials.recentPasswordHashes(user.id, 1), ['h4']);
  t.deepEqual(await credentials.recentPasswordHashes(user.id, 0), []);

  const other = await createUser({ passwordHash: 'other' });
  t.deepEqual(await credentials.recentPasswordHashes(other.id, 10), ['other'], "another user's history is separate");
});

test('forVerification finds by email and by userCode, case-insensitively', async (t) => {
  const tag = randomBytes(4).toString('hex');
  const user = await createUser({
    email: `Mixed.Case.${tag}@Example.com`,
    userCode: `Code${tag}`,
    passwordHash: 'the-hash',
  });
  await credentials.reserveAttempt(user.id, 5);

  const expected = {
    userId: user.id,
    status: 'active',
    passwordHash: 'the-hash',
    failedAttempts: 1,
    lockedUntil: null,
    expiresAt: null,
  };
  t.deepEqual(await credentials.forVerification(`mixed.case.${tag}@example.com`), expected);
  t.deepEqual(await credentials.forVerification(`MIXED.CASE.${tag}@EXAMPLE.COM`), expected);
  t.deepEqual(await credentials.forVerification(`code${tag}`), expected);
  t.deepEqual(await credentials.forVerification(`CODE${tag.toUpperCase()}`), expected);
  t.deepEqual(await credentials.forVerificationById(user.id), expected);
  t.is(await credentials.forVerification(`nobody.${tag}@example.com`), undefined);
});

test('forVerification sees a lock', async (t) => {
  const user = await createUser();
  const until = new Date(Date.now() + 15 * MINUTE);
  await credentials.lock(user.id, until);
  const cred = await credentials.forVerification(user.email!);
  t.is(cred?.status, 'locked');
  t.is(cred?.lockedUntil && new Date(cred.lockedUntil).getTime(), until.getTime());
});

test('forVerification does not find a deleted user', async (t) => {
  const user = await createUser();
  await users.setStatus(user.id, 'deleted');
  t.is(await credentials.forVerification(user.email!), undefined);
  t.is(await credentials.forVerification(user.userCode), undefined);
  t.is(await credentials.forVerificationById(user.id), undefined);
});

test('forVerification finds the live user when a deleted user had the same email', async (t) => {
  const tag = randomBytes(4).toString('hex');
  const email = `reused.${tag}@example.com`;
  const gone = await createUser({ email });
  await users.setStatus(gone.id, 'deleted');
  const live = await createUser({ email: email.toUpperCase() });
  t.is((await credentials.forVerification(email))?.userId, live.id);
});

// Two live users cannot share an email (users_email_key), so an ambiguous *email* cannot be
// built. The same ambiguity is reachable when one user's email is another user's userCode.
test("forVerification is undefined when the identifier is one user's email and another's userCode", async (t) => {
  const tag = randomBytes(4).toString('hex');
  const identifier = `clash.${tag}@example.com`;
  await createUser({ email: identifier });
  await createUser({ userCode: identifier.toUpperCase(), email: `other.${tag}@example.com` });
  t.is(await credentials.forVerification(identifier), undefined);
});

test('two live users cannot share an email, whatever its case', async (t) => {
  const tag = randomBytes(4).toString('hex');
  await createUser({ email: `shared.${tag}@example.com` });
  const error = await t.throwsAsync(createUser({ email: `SHARED.${tag}@example.com` }));
  t.is((error as { code?: string }).code, '23505');
});
