import { randomBytes } from 'node:crypto';
import test from 'ava';
import type { Db } from '../../src/db/database.js';
import { createPasswordResetTokensRepository } from '../../src/repositories/password-reset-tokens.js';
import { createSigningKeysRepository } from '../../src/repositories/signing-keys.js';
import { createUsersRepository } from '../../src/repositories/users.js';
import { hashToken, randomToken } from '../../src/util/crypto.js';
import { useMigratedDatabase } from '../helpers/database.js';

const database = useMigratedDatabase(test);
let db: Db;
let users: ReturnType<typeof createUsersRepository>;
let resetTokens: ReturnType<typeof createPasswordResetTokensRepository>;
let signingKeys: ReturnType<typeof createSigningKeysRepository>;

test.before(async () => {
  db = await database();
  users = createUsersRepository(db);
  resetTokens = createPasswordResetTokensRepository(db);
  signingKeys = createSigningKeysRepository(db);
});

const HOUR = 3_600_000;

async function createUser() {
  const tag = randomBytes(5).toString('hex');
  return db.transaction((trx) =>
    users.create(
      { userCode: `U${tag}`, email: `reset.${tag}@example.com`, status: 'active', mainRole: 'individual' },
      trx,
    ),
  );
}

async function issue(userId: string, expiresAt: Date): Promise<string> {
  const hash = hashToken(randomToken());
  await resetTokens.create(userId, hash, expiresAt);
  return hash;
}

// ---- password reset tokens ----

test('a reset token redeems once: of two parallel redeems exactly one gets the user', async (t) => {
  const user = await createUser();
  const now = new Date();
  const hash = await issue(user.id, new Date(now.getTime() + HOUR));

  t.is(await resetTokens.peek(hash, now), user.id, 'peek sees the live token');
  t.is(await resetTokens.peek(hash, now), user.id, 'and peeking does not use it up');

  const results = await Promise.all([resetTokens.redeem(hash, now), resetTokens.redeem(hash, now)]);
  t.deepEqual(
    results.filter((r) => r !== undefined),
    [user.id],
  );
  t.is(results.filter((r) => r === undefined).length, 1);

  t.is(await resetTokens.redeem(hash, now), undefined, 'a third try gets nothing');
  t.is(await resetTokens.peek(hash, now), undefined, 'a used token is no longer live');
  const row = await db('password_reset_tokens').select('used_at').where('token_hash', hash).first();
  t.true(row.used_at instanceof Date);
});

test('many parallel redeems: still exactly one winner', async (t) => {
  const user = await createUser();
  const now = new Date();
  const hash = await issue(user.id, new Date(now.getTime() + HOUR));
  const results = await Promise.all(Array.from({ length: 10 }, () => resetTokens.redeem(hash, now)));
  t.is(results.filter((r) => r === user.id).length, 1);
});

test('an expired token is not redeemable', async (t) => {
  const user = await createUser();
  const expiresAt = new Date(Date.now() + HOUR);
  const hash = await issue(user.id, expiresAt);

  t.is(await resetTokens.peek(hash, expiresAt), undefined, 'expired exactly at expires_at');
  t.is(await resetTokens.redeem(hash, expiresAt), undefined);
  t.is(await resetTokens.redeem(hash, new Date(expiresAt.getTime() + HOUR)), undefined);
  // Only the clock stood in the way: the same token still redeems before it expires.
  t.is(await resetTokens.redeem(hash, new Date(expiresAt.getTime() - 1)), user.id);
});

test('a token already expired when stored is not redeemable', async (t) => {
  const user = await createUser();
  const hash = await issue(user.id, new Date(Date.now() - 1000));
  t.is(await resetTokens.peek(hash, new Date()), undefined);
  t.is(await resetTokens.redeem(hash, new Date()), undefined);
});

test('an unknown token redeems nothing', async (t) => {
  t.is(await resetTokens.redeem(hashToken(randomToken()), new Date()), undefined);
});

test("voidAll voids every outstanding token of the user and no one else's", async (t) => {
  const user = await createUser();
  const other = await createUser();
  const now = new Date();
  const later = new Date(now.getTime() + HOUR);
  const first = await issue(user.id, later);
  const second = await issue(user.id, later);
  const used = await issue(user.id, later);
  t.is(await resetTokens.redeem(used, now), user.id);
  const usedAt = (await db('password_reset_tokens').select('used_at').where('token_hash', used).first()).used_at;
  const othersToken = await issue(other.id, later);

  const voidedAt = new Date(now.getTime() + 1000);
  await resetTokens.voidAll(user.id, voidedAt);

  t.is(await resetTokens.redeem(first, now), undefined);
  t.is(await resetTokens.redeem(second, now), undefined);
  const after = (await db('password_reset_tokens').select('used_at').where('token_hash', used).first()).used_at;
  t.is(new Date(after).getTime(), new Date(usedAt).getTime(), 'an already used token keeps its time');
  t.is(await resetTokens.redeem(othersToken, now), other.id, "another user's token still works");
});

// ---- signing keys (serial: published() is global) ----

let kidCounter = 0;
async function insertKey(alg: string): Promise<string> {
  const kid = `kid-${++kidCounter}-${randomBytes(3).toString('hex')}`;
  await signingKeys.insert({
    kid,
    alg,
    publicJwk: { kty: alg.startsWith('ES') ? 'EC' : 'RSA', kid },
    privateJwkEncrypted: `v1.sealed-${kid}`,
  });
  // Distinct created_at for a deterministic order.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return kid;
}

test.serial('published(): active keys first (newest first), retired keys until publish_until, then gone', async (t) => {
  t.deepEqual(await signingKeys.published(), []);

  const es = await insertKey('ES256');
  const rsOld = await insertKey('RS256');
  const fingerprintBefore = await signingKeys.fingerprint();

  const publishUntil = new Date(Date.now() + 24 * HOUR);
  t.deepEqual(await signingKeys.retireActive('RS256', publishUntil), [rsOld], 'only the RS256 key retires');
  const rsNew = await insertKey('RS256');
  t.not(await signingKeys.fingerprint(), fingerprintBefore, 'the rotation changes the fingerprint');

  const published = await signingKeys.published(new Date());
  // rsOld is newer than es, but retired keys come after every active key.
  t.deepEqual(
    published.map((k) => [k.kid, k.state]),
    [
      [rsNew, 'active'],
      [es, 'active'],
      [rsOld, 'retired'],
    ],
  );
  t.deepEqual(published[0]!.publicJwk, { kty: 'RSA', kid: rsNew });
  t.is(published[0]!.privateJwkEncrypted, `v1.sealed-${rsNew}`);
  t.true(published[0]!.createdAt instanceof Date);

  const retired = await db('signing_keys').where('kid', rsOld).first();
  t.true(retired.retired_at instanceof Date);
  t.is(new Date(retired.publish_until).getTime(), publishUntil.getTime());

  t.deepEqual(
    (await signingKeys.published(new Date(publishUntil.getTime() - 1))).map((k) => k.kid),
    [rsNew, es, rsOld],
    'still published 1 ms before the end',
  );
  t.deepEqual(
    (await signingKeys.published(publishUntil)).map((k) => k.kid),
    [rsNew, es],
    'gone at publish_until',
  );
  t.deepEqual(
    (await signingKeys.published(new Date(publishUntil.getTime() + 30 * 24 * HOUR))).map((k) => k.kid),
    [rsNew, es],
    'and after',
  );
});

test.serial('a retired key whose publish_until has passed is not published', async (t) => {
  const before = (await signingKeys.published()).map((k) => k.kid);
  const es = await insertKey('ES384');
  t.deepEqual(await signingKeys.retireActive('ES384', new Date(Date.now() - 1000)), [es]);
  t.deepEqual(
    (await signingKeys.published()).map((k) => k.kid),
    before,
  );
  t.deepEqual(
    await signingKeys.retireActive('ES384', new Date(Date.now() + HOUR)),
    [],
    'nothing active left to retire',
  );
});
