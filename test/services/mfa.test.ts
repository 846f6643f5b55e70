import { randomBytes } from 'node:crypto';
import test from 'ava';
import { generate } from 'otplib';
import { retryingTransaction, type Db } from '../../src/db/database.js';
import type { User } from '../../src/domain/user.js';
import type { LockoutSettings } from '../../src/policies/lockout.js';
import { createAuditEventsRepository } from '../../src/repositories/audit-events.js';
import { createMfaAttemptsRepository } from '../../src/repositories/mfa-attempts.js';
import { createMfaFactorsRepository } from '../../src/repositories/mfa-factors.js';
import { createRecoveryCodesRepository } from '../../src/repositories/recovery-codes.js';
import { createTotpFactorsRepository } from '../../src/repositories/totp-factors.js';
import { createUsersRepository } from '../../src/repositories/users.js';
import { createAuditService } from '../../src/services/audit.js';
import { createMfaService, type MfaCheck } from '../../src/services/mfa.js';
import { createSecretBox, deriveKey } from '../../src/util/crypto.js';
import { auditEvents } from '../helpers/audit.js';
import { useMigratedDatabase } from '../helpers/database.js';

const database = useMigratedDatabase(test);
const SECRET = 'mfa-test-secret-mfa-test-secret-0123456789';
const ISSUER = 'https://id.example.com';
const MINUTE = 60_000;
const STEP = 30_000;
/** 10 seconds into a time step: ±1 step is clearly the previous and the next one. */
const T0 = Date.parse('2026-03-02T09:00:10Z');

let db: Db;
let users: ReturnType<typeof createUsersRepository>;
let factors: ReturnType<typeof createMfaFactorsRepository>;
const box = createSecretBox(SECRET, 'totp-secret');

test.before(async () => {
  db = await database();
  users = createUsersRepository(db);
  factors = createMfaFactorsRepository(db);
});

const OK: MfaCheck = { ok: true };
const INVALID: MfaCheck = { ok: false, code: 'mfa.invalid_code' };
const LOCKED: MfaCheck = { ok: false, code: 'mfa.locked' };

/** A service of its own (each test moves its own clock), built from the real repositories. */
function setup(lockout: LockoutSettings = { maxAttempts: 5, minutes: 15 }) {
  let now = T0;
  const clock = { now: () => new Date(now) };
  const mfa = createMfaService({
    transact: retryingTransaction(db),
    totp: createTotpFactorsRepository(db),
    recoveryCodes: createRecoveryCodesRepository(db),
    attempts: createMfaAttemptsRepository(db),
    factors,
    users,
    audit: createAuditService({ events: createAuditEventsRepository(db) }),
    clock,
    totpBox: box,
    recoveryCodeKey: deriveKey(SECRET, 'recovery-code'),
    issuer: ISSUER,
    lockout: () => lockout,
  });
  return {
    mfa,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}
type Setup = ReturnType<typeof setup>;

async function createUser(): Promise<User> {
  const tag = randomBytes(5).toString('hex');
  return db.transaction((trx) =>
    users.create(
      {
        userCode: `U${tag}`,
        email: `mfa.${tag}@example.com`,
        status: 'active',
        mainRole: 'admin',
        passwordHash: `hash-${tag}`,
      },
      trx,
    ),
  );
}

/** The code of the step `steps` away from `at`. */
const codeAt = (secret: string, at: number, steps = 0) =>
  generate({ secret, epoch: Math.floor((at + steps * STEP) / 1000) });

/** A user with a confirmed TOTP factor (confirmed one step ago, so the current step is free). */
async function enrolled(s: Setup) {
  const user = await createUser();
  const { secret } = await s.mfa.startTotpEnrolment(user.id, user.email!);
  s.advance(-STEP);
  const confirmed = await s.mfa.confirmTotpEnrolment(user.id, await codeAt(secret, s.now()), null);
  s.advance(STEP);
  if (!confirmed.ok) throw new Error('enrolment failed');
  return { user, secret };
}

const row = (userId: string) =>
  db('users').select('failed_attempts', 'mfa_failed_attempts', 'mfa_locked_until').where('id', userId).first();
const auditOf = (userId: string, action: string) => auditEvents(db, { target_id: userId, action });
const allAudit = async (userId: string) => JSON.stringify(await auditEvents(db, { target_id: userId }));

test('enrolment: pending until a right code, then confirmed; a confirmed factor refuses a new enrolment', async (t) => {
  const s = setup();
  const user = await createUser();
  const first = await s.mfa.startTotpEnrolment(user.id, user.email!);
  t.regex(first.secret, /^[A-Z2-7]{32}$/, '20 bytes in base32');
  t.is(
    first.uri,
    `otpauth://totp/Gatehouse%20(id.example.com):${encodeURIComponent(user.email!)}?secret=${first.secret}&issuer=Gatehouse%20(id.example.com)&algorithm=SHA1&digits=6&period=30`,
  );
  t.regex(first.qrDataUrl, /^data:image\/png;base64,[A-Za-z0-9+/=]{100,}$/);
  t.false((await s.mfa.summary(user.id)).totp, 'a pending enrolment is not a factor');
  t.deepEqual(
    await s.mfa.verifyTotp(user.id, await codeAt(first.secret, s.now()), null),
    INVALID,
    'a pending secret does not verify',
  );

  // A second start replaces the pending secret.
  const second = await s.mfa.startTotpEnrolment(user.id, user.email!);
  t.not(second.secret, first.secret);
  t.deepEqual(
    (await s.mfa.currentTotpEnrolment(user.id))?.secret,
    second.secret,
    'the pending enrolment can be shown again',
  );
  t.deepEqual(
    await s.mfa.confirmTotpEnrolment(user.id, await codeAt(first.secret, s.now()), '192.0.2.1'),
    INVALID,
    'the replaced secret',
  );
  t.deepEqual(await s.mfa.confirmTotpEnrolment(user.id, '000000', null), INVALID);
  t.deepEqual(await s.mfa.confirmTotpEnrolment(user.id, 'not a code', null), INVALID);
  t.deepEqual(await s.mfa.confirmTotpEnrolment(user.id, await codeAt(second.secret, s.now()), '192.0.2.1'), OK);
  t.true((await s.mfa.summary(user.id)).totp);
  t.is(await s.mfa.currentTotpEnrolment(user.id), undefined);
  t.is((await row(user.id)).mfa_failed_attempts, 0, 'the success (in the last slot) freed the counter');

  const again = await t.throwsAsync(s.mfa.startTotpEnrolment(user.id, user.email!));
  t.is((again as { code?: string }).code, 'mfa.totp_exists');
  t.is((again as { status?: number }).status, 409);
  t.deepEqual(
    await s.mfa.confirmTotpEnrolment(user.id, await codeAt(second.secret, s.now(), 1), null),
    INVALID,
    'nothing left to confirm',
  );

  t.deepEqual(
    await s.mfa.verifyTotp(user.id, await codeAt(second.secret, s.now()), null),
    INVALID,
    'the confirming code is used up',
  );
  s.advance(STEP);
  t.deepEqual(
    await s.mfa.verifyTotp(user.id, await codeAt(second.secret, s.now()), null),
    OK,
    'the next step verifies',
  );

  const events = await auditOf(user.id, 'mfa.totp_enrolled');
  t.is(events.length, 1);
  t.is(events[0].ip, '192.0.2.1');
  const audit = await allAudit(user.id);
  t.false(audit.includes(first.secret) || audit.includes(second.secret), 'no secret in the audit log');
});

test('the secret is sealed at rest and bound to its user', async (t) => {
  const s = setup();
  const a = await enrolled(s);
  const b = await enrolled(s);
  const rowOf = (id: string) => db('totp_factors').select('secret_sealed').where('user_id', id).first();
  const sealedA = (await rowOf(a.user.id)).secret_sealed as string;
  const sealedB = (await rowOf(b.user.id)).secret_sealed as string;
  t.true(sealedA.startsWith('v1.'));
  t.false(sealedA.includes(a.secret), 'the column does not hold the base32 secret');
  t.false(sealedA.toUpperCase().includes(a.secret.slice(0, 8)));
  t.is(box.open(sealedA, a.user.id), a.secret);
  t.throws(() => box.open(sealedA, b.user.id), undefined, "another user's id does not open it");
  t.throws(
    () => createSecretBox('another-secret-another-secret-0123456789', 'totp-secret').open(sealedA, a.user.id),
    undefined,
    'nor another server secret',
  );

  // Swap the rows: each user now holds the other's sealed secret.
  await db('totp_factors').where('user_id', a.user.id).update({ secret_sealed: sealedB });
  await db('totp_factors').where('user_id', b.user.id).update({ secret_sealed: sealedA });
  const err = await t.throwsAsync(s.mfa.verifyTotp(a.user.id, await codeAt(b.secret, s.now()), null));
  t.is((err as { code?: string }).code, 'mfa.totp_unreadable');
  t.is((await row(a.user.id)).mfa_failed_attempts, 1, 'and the attempt counts as a failure');
});

test('drift: one step either side is accepted, two are refused', async (t) => {
  const s = setup();
  const { user, secret } = await enrolled(s);
  t.deepEqual(await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now(), -2), null), INVALID, '-2 steps');
  t.deepEqual(await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now(), 2), null), INVALID, '+2 steps');
  t.is((await row(user.id)).mfa_failed_attempts, 2);
  s.advance(STEP);
  t.deepEqual(await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now(), -1), null), OK, '-1 step');
  t.is((await row(user.id)).mfa_failed_attempts, 0, 'a success frees the counter');
  s.advance(2 * STEP);
  t.deepEqual(await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now(), 1), null), OK, '+1 step');
  t.deepEqual(
    await s.mfa.verifyTotp(user.id, ` ${(await codeAt(secret, s.now(), 1)).replace(/(\d{3})/, '$1 ')}`, null),
    INVALID,
    'the same code with spaces is still a replay',
  );
});

test('replay: a code of a step already used, or of an older step, is refused', async (t) => {
  const s = setup({ maxAttempts: 20, minutes: 15 });
  const { user, secret } = await enrolled(s);
  const current = await codeAt(secret, s.now());
  t.deepEqual(await s.mfa.verifyTotp(user.id, current, null), OK);
  t.deepEqual(await s.mfa.verifyTotp(user.id, current, null), INVALID, 'the same code in the same step');
  s.advance(5_000);
  t.deepEqual(await s.mfa.verifyTotp(user.id, current, null), INVALID, 'the same code later in the step');

  s.advance(3 * STEP);
  t.deepEqual(
    await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now(), 1), null),
    OK,
    'the next step (clock ahead)',
  );
  t.deepEqual(
    await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now()), null),
    INVALID,
    'an older step after a newer one',
  );
  t.deepEqual(await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now(), -1), null), INVALID);

  // The clock moved back (a step already used lies beyond the window): refused, not an error.
  s.advance(-10 * STEP);
  t.deepEqual(await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now()), null), INVALID);
});

test('concurrent uses of one right code: exactly one is accepted', async (t) => {
  const s = setup({ maxAttempts: 50, minutes: 15 });
  const { user, secret } = await enrolled(s);
  const code = await codeAt(secret, s.now());
  const results = await Promise.all(Array.from({ length: 12 }, () => s.mfa.verifyTotp(user.id, code, null)));
  t.is(results.filter((r) => r.ok).length, 1);
});

test('wrong codes count; the 5th failure locks (even the right code), the password counter untouched; the lock ends after lockout minutes', async (t) => {
  const s = setup({ maxAttempts: 5, minutes: 15 });
  const { user, secret } = await enrolled(s);
  for (let i = 1; i <= 4; i++) {
    t.deepEqual(await s.mfa.verifyTotp(user.id, '000000', '198.51.100.7'), INVALID);
    t.is((await row(user.id)).mfa_failed_attempts, i);
  }
  t.false((await s.mfa.summary(user.id)).locked);
  t.deepEqual(
    await s.mfa.verifyTotp(user.id, '000001', '198.51.100.7'),
    INVALID,
    'the 5th failure answers as a wrong code',
  );
  t.true((await s.mfa.summary(user.id)).locked);
  t.deepEqual(
    await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now()), null),
    LOCKED,
    'the right code while locked',
  );
  t.is((await row(user.id)).mfa_failed_attempts, 5);

  const r = await row(user.id);
  t.is(r.failed_attempts, 0, 'the password counter is untouched');
  t.is(new Date(r.mfa_locked_until).getTime(), T0 + 15 * MINUTE);
  const locks = await auditOf(user.id, 'user.mfa_locked');
  t.is(locks.length, 1);
  t.is(locks[0].ip, '198.51.100.7');
  t.is(locks[0].actor_type, 'system');

  s.advance(15 * MINUTE - 1);
  t.deepEqual(await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now()), null), LOCKED, '1 ms before the end');
  s.advance(1);
  t.false((await s.mfa.summary(user.id)).locked, 'ends exactly at mfa_locked_until');
  t.deepEqual(await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now()), null), OK, 'the lock ran out');
  const after = await row(user.id);
  t.is(after.mfa_failed_attempts, 0);
  t.is(after.mfa_locked_until, null);
});

test('a lock that ran out is lifted on a wrong code too, and counting starts again', async (t) => {
  const s = setup({ maxAttempts: 2, minutes: 1 });
  const { user } = await enrolled(s);
  await s.mfa.verifyTotp(user.id, '000000', null);
  await s.mfa.verifyTotp(user.id, '000000', null);
  t.deepEqual(await s.mfa.verifyTotp(user.id, '000000', null), LOCKED);
  s.advance(MINUTE);
  t.deepEqual(await s.mfa.verifyTotp(user.id, '000000', null), INVALID);
  t.is((await row(user.id)).mfa_failed_attempts, 1);
  t.deepEqual(await s.mfa.verifyTotp(user.id, '000000', null), INVALID);
  t.deepEqual(await s.mfa.verifyTotp(user.id, '000000', null), LOCKED);
  t.is((await auditOf(user.id, 'user.mfa_locked')).length, 2);
});

test('lockout minutes 0: locked until an MFA reset', async (t) => {
  const s = setup({ maxAttempts: 3, minutes: 0 });
  const { user, secret } = await enrolled(s);
  for (let i = 0; i < 3; i++) await s.mfa.verifyTotp(user.id, '000000', null);
  s.advance(365 * 24 * 60 * MINUTE);
  t.deepEqual(await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now()), null), LOCKED, 'a year later');
  t.true((await s.mfa.summary(user.id)).locked);
  t.is((await row(user.id)).mfa_locked_until, null);
  await s.mfa.reset(user.id, { type: 'cli', name: 'test' });
  t.false((await s.mfa.summary(user.id)).locked);
  t.is((await row(user.id)).mfa_failed_attempts, 0);
});

test('20 wrong guesses in parallel with max 5: exactly 5 are checked, the rest are locked out', async (t) => {
  const s = setup({ maxAttempts: 5, minutes: 15 });
  const { user } = await enrolled(s);
  let checked = 0;
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      i % 2
        ? s.mfa.verifyTotp(user.id, String(100000 + i), null)
        : s.mfa.guard(user.id, null, async () => {
            checked++;
            return false;
          }),
    ),
  );
  t.is(results.filter((r) => !r.ok && r.code === 'mfa.invalid_code').length, 5);
  t.is(results.filter((r) => !r.ok && r.code === 'mfa.locked').length, 15);
  t.true(checked <= 5);
  t.is((await row(user.id)).mfa_failed_attempts, 5);
  t.is((await row(user.id)).failed_attempts, 0);
  t.is((await auditOf(user.id, 'user.mfa_locked')).length, 1, 'one lock, audited once');
});

test('guard: no attempt runs while locked; an attempt that throws counts as a failure and can lock', async (t) => {
  const s = setup({ maxAttempts: 2, minutes: 15 });
  const user = await createUser();
  await t.throwsAsync(
    s.mfa.guard(user.id, null, async () => {
      throw new Error('boom');
    }),
    { message: 'boom' },
  );
  t.is((await row(user.id)).mfa_failed_attempts, 1);
  await t.throwsAsync(
    s.mfa.guard(user.id, null, async () => {
      throw new Error('boom');
    }),
  );
  t.true((await s.mfa.summary(user.id)).locked);
  let ran = false;
  t.deepEqual(await s.mfa.guard(user.id, null, async () => (ran = true)), LOCKED);
  t.false(ran);
  s.advance(15 * MINUTE);
  t.deepEqual(await s.mfa.guard(user.id, null, async () => true), OK, 'a timed lock that ran out is lifted first');
  t.is((await row(user.id)).mfa_failed_attempts, 0);
});

test('a success does not lift a lock that later, concurrent failures filled', async (t) => {
  const s = setup({ maxAttempts: 3, minutes: 0 });
  const user = await createUser();
  let release!: () => void;
  const waiting = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const slow = s.mfa.guard(user.id, null, async () => {
    started();
    await waiting;
    return true;
  });
  await running;
  t.deepEqual(await s.mfa.guard(user.id, null, async () => false), INVALID);
  t.deepEqual(await s.mfa.guard(user.id, null, async () => false), INVALID);
  release();
  t.deepEqual(await slow, OK, 'the earlier check was right');
  t.is((await row(user.id)).mfa_failed_attempts, 3);
  t.true((await s.mfa.summary(user.id)).locked, 'the lock stays');
});

test('recovery codes: 10 distinct, single use, case- and dash-insensitive, new ones void the old', async (t) => {
  const s = setup({ maxAttempts: 20, minutes: 15 });
  const user = await createUser();
  const codes = await s.mfa.newRecoveryCodes(user.id, { type: 'user', id: user.id });
  t.is(codes.length, 10);
  t.is(new Set(codes).size, 10);
  for (const code of codes) t.regex(code, /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
  t.is((await s.mfa.summary(user.id)).recoveryCodesLeft, 10);
  const stored = JSON.stringify(await db('recovery_codes').where('user_id', user.id));
  for (const code of codes) t.false(stored.includes(code) || stored.includes(code.replace(/-/g, '')), 'stored hashed');

  t.deepEqual(await s.mfa.useRecoveryCode(user.id, codes[0]!, '203.0.113.5'), OK);
  t.deepEqual(await s.mfa.useRecoveryCode(user.id, codes[0]!, null), INVALID, 'a used code');
  t.deepEqual(
    await s.mfa.useRecoveryCode(user.id, codes[1]!.toUpperCase().replace(/-/g, ''), null),
    OK,
    'upper case, no dashes',
  );
  t.deepEqual(await s.mfa.useRecoveryCode(user.id, ` ${codes[2]!.replace(/-/g, ' ')} `, null), OK, 'spaces');
  t.is((await row(user.id)).mfa_failed_attempts, 0, 'a success frees the counter');
  t.deepEqual(await s.mfa.useRecoveryCode(user.id, 'zzzz-zzzz-zzzz', null), INVALID);
  t.deepEqual(await s.mfa.useRecoveryCode(user.id, 'not a code', null), INVALID);
  t.is((await s.mfa.summary(user.id)).recoveryCodesLeft, 7);
  t.is((await row(user.id)).mfa_failed_attempts, 2, 'wrong codes count');

  const other = await createUser();
  t.deepEqual(await s.mfa.useRecoveryCode(other.id, codes[3]!, null), INVALID, "another user's code");

  const fresh = await s.mfa.newRecoveryCodes(user.id, { type: 'user', id: user.id });
  t.is((await s.mfa.summary(user.id)).recoveryCodesLeft, 10);
  t.deepEqual(await s.mfa.useRecoveryCode(user.id, codes[3]!, null), INVALID, 'an old unused code is void');
  t.deepEqual(await s.mfa.useRecoveryCode(user.id, fresh[0]!, null), OK);

  const used = await auditOf(user.id, 'mfa.recovery_code_used');
  t.is(used.length, 4);
  t.is((await auditOf(user.id, 'mfa.recovery_codes_created')).length, 2);
  const audit = await allAudit(user.id);
  for (const code of [...codes, ...fresh])
    t.false(audit.includes(code) || audit.includes(code.replace(/-/g, '')), 'no code in the audit log');
});

test('a recovery code used in parallel works once', async (t) => {
  const s = setup({ maxAttempts: 50, minutes: 15 });
  const user = await createUser();
  const [code] = await s.mfa.newRecoveryCodes(user.id, { type: 'user', id: user.id });
  const results = await Promise.all(Array.from({ length: 8 }, () => s.mfa.useRecoveryCode(user.id, code!, null)));
  t.is(results.filter((r) => r.ok).length, 1);
});

test('recovery code failures share the MFA pool with TOTP', async (t) => {
  const s = setup({ maxAttempts: 3, minutes: 15 });
  const { user, secret } = await enrolled(s);
  const [code] = await s.mfa.newRecoveryCodes(user.id, { type: 'user', id: user.id });
  await s.mfa.verifyTotp(user.id, '000000', null);
  await s.mfa.useRecoveryCode(user.id, 'aaaa-aaaa-aaaa', null);
  await s.mfa.verifyTotp(user.id, '000000', null);
  t.deepEqual(await s.mfa.useRecoveryCode(user.id, code!, null), LOCKED);
  t.deepEqual(await s.mfa.verifyTotp(user.id, await codeAt(secret, s.now()), null), LOCKED);
});

test('removeTotp removes the factor and audits it', async (t) => {
  const s = setup();
  const { user } = await enrolled(s);
  await s.mfa.removeTotp(user.id, { type: 'user', id: user.id });
  t.false((await s.mfa.summary(user.id)).totp);
  t.is((await auditOf(user.id, 'mfa.totp_removed')).length, 1);
  await s.mfa.removeTotp(user.id, { type: 'user', id: user.id });
  t.is((await auditOf(user.id, 'mfa.totp_removed')).length, 1, 'nothing to remove: no event');
  await t.notThrowsAsync(s.mfa.startTotpEnrolment(user.id, user.email!), 'a new enrolment may start');
});

test('reset clears TOTP, passkeys, recovery codes and the MFA lock, and is audited', async (t) => {
  const s = setup({ maxAttempts: 2, minutes: 15 });
  const { user } = await enrolled(s);
  await s.mfa.newRecoveryCodes(user.id, { type: 'user', id: user.id });
  await db('webauthn_credentials').insert({
    user_id: user.id,
    credential_id: `cred-${randomBytes(6).toString('hex')}`,
    public_key: Buffer.from([1, 2, 3]),
    name: 'Key',
  });
  await s.mfa.verifyTotp(user.id, '000000', null);
  await s.mfa.verifyTotp(user.id, '000000', null);
  t.deepEqual(await s.mfa.summary(user.id), { totp: true, passkeys: 1, recoveryCodesLeft: 10, locked: true });

  const other = await enrolled(s);
  await s.mfa.reset(user.id, { type: 'cli', name: 'gatehouse-cli' });
  t.deepEqual(await s.mfa.summary(user.id), { totp: false, passkeys: 0, recoveryCodesLeft: 0, locked: false });
  t.deepEqual(await factors.summary(user.id), {
    totp: false,
    passkeys: 0,
    recoveryCodesLeft: 0,
    lockedUntil: null,
    failedAttempts: 0,
  });
  t.true((await s.mfa.summary(other.user.id)).totp, "another user's factor stays");

  const [event] = await auditOf(user.id, 'mfa.reset');
  t.is(event.actor_type, 'cli');
  const details = typeof event.details === 'string' ? JSON.parse(event.details) : event.details;
  t.deepEqual(details, { removed: { totp: 1, passkeys: 1, recoveryCodes: 10 } });
});

test('summary of an unknown user: nothing', async (t) => {
  const s = setup();
  t.deepEqual(await s.mfa.summary('00000000-0000-4000-8000-00000000dead'), {
    totp: false,
    passkeys: 0,
    recoveryCodesLeft: 0,
    locked: false,
  });
});

test('a local issuer is labelled "Gatehouse"', async (t) => {
  const { totpIssuerLabel } = await import('../../src/util/totp.js');
  t.is(totpIssuerLabel('http://localhost:3000'), 'Gatehouse');
  t.is(totpIssuerLabel('http://127.0.0.1:3918'), 'Gatehouse');
  t.is(totpIssuerLabel('https://id.example.com/tenant'), 'Gatehouse (id.example.com)');
});
