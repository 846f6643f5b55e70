import { randomBytes } from 'node:crypto';
import test from 'ava';
import { retryingTransaction, type Db } from '../../src/db/database.js';
import { AppError } from '../../src/errors/app-error.js';
import { createAuditEventsRepository } from '../../src/repositories/audit-events.js';
import { createUsersRepository } from '../../src/repositories/users.js';
import { createWebAuthnChallengesRepository } from '../../src/repositories/webauthn-challenges.js';
import { createWebAuthnCredentialsRepository } from '../../src/repositories/webauthn-credentials.js';
import { createAuditService } from '../../src/services/audit.js';
import { CHALLENGE_TTL_MS, createPasskeysService, type PasskeysService } from '../../src/services/passkeys.js';
import { auditEvents } from '../helpers/audit.js';
import { useMigratedDatabase } from '../helpers/database.js';
import {
  authenticationResponse,
  newCredential,
  registrationResponse,
  userHandleOf,
  type SoftCredential,
} from '../helpers/webauthn.js';

/*
 * The passkey service against a real database, with a software authenticator
 * (test/helpers/webauthn.ts) whose answers are bent on purpose: another origin,
 * another RP ID, a replay, a counter going back, another user's credential.
 */

const RP = { id: 'id.example.com', origin: 'https://id.example.com', name: 'Gatehouse' };
const database = useMigratedDatabase(test);
let db: Db;
let service: PasskeysService;
let users: ReturnType<typeof createUsersRepository>;
/** The service's clock; the (serial) tests that move it put it back. */
let offsetMs = 0;

test.before(async () => {
  db = await database();
  users = createUsersRepository(db);
  service = createPasskeysService({
    transact: retryingTransaction(db),
    credentials: createWebAuthnCredentialsRepository(db),
    challenges: createWebAuthnChallengesRepository(db),
    audit: createAuditService({ events: createAuditEventsRepository(db) }),
    clock: { now: () => new Date(Date.now() + offsetMs) },
    rp: RP,
  });
});

async function createUser() {
  const tag = randomBytes(5).toString('hex');
  const user = await db.transaction((trx) =>
    users.create(
      {
        userCode: `P${tag}`,
        email: `passkey.${tag}@example.com`,
        profile: { givenName: 'Pat', familyName: `Key${tag}` },
        status: 'active',
        mainRole: 'individual',
      },
      trx,
    ),
  );
  return { id: user.id, userCode: user.userCode, displayName: `Pat Key${tag}` };
}
const self = (userId: string) => ({ type: 'user', id: userId }) as const;

/** Registers a new software credential for the user, through the service. */
async function enrol(user: { id: string; userCode: string; displayName: string }, name = '') {
  const credential = newCredential({ userHandle: userHandleOf(user.id) });
  const { challenge } = await service.registrationOptions(user);
  const passkey = await service.register(
    user.id,
    registrationResponse(credential, { challenge, origin: RP.origin, rpId: RP.id }),
    name,
    self(user.id),
  );
  return { credential, passkey };
}

async function signIn(
  credential: SoftCredential,
  o: {
    userId?: string;
    origin?: string;
    rpId?: string;
    uv?: boolean;
    counter?: number;
    userHandle?: string | null;
  } = {},
) {
  const { challenge } = await service.authenticationOptions(o.userId);
  const response = authenticationResponse(credential, {
    challenge,
    origin: o.origin ?? RP.origin,
    rpId: o.rpId ?? RP.id,
    uv: o.uv,
    counter: o.counter,
    userHandle: o.userHandle,
  });
  return { response, outcome: await service.authenticate(response, o.userId) };
}

const refusal = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof AppError ? `${err.code} ${err.status}` : String(err);
};
const challengeRows = (userId: string) => db('webauthn_challenges').where('user_id', userId);

// ---- registration ----

test('registration options: discoverable, user verification preferred, the challenge stored for the user for 5 minutes', async (t) => {
  const user = await createUser();
  const before = Date.now();
  const options = await service.registrationOptions(user);
  t.is(options.rp.id, RP.id);
  t.is(options.rp.name, 'Gatehouse');
  t.is(options.user.name, user.userCode);
  t.is(options.user.displayName, user.displayName);
  t.is(options.user.id, userHandleOf(user.id));
  t.is(options.authenticatorSelection?.residentKey, 'required');
  t.is(options.authenticatorSelection?.userVerification, 'preferred');
  t.is(options.attestation, 'none');
  t.deepEqual(options.excludeCredentials, []);

  const [row] = await challengeRows(user.id);
  t.is(row.challenge, options.challenge);
  t.is(row.purpose, 'register');
  const ttl = new Date(row.expires_at).getTime() - before;
  t.true(ttl >= CHALLENGE_TTL_MS - 1000 && ttl <= CHALLENGE_TTL_MS + 5000, String(ttl));
});

test('a registered passkey is listed with its name; excludeCredentials then names it', async (t) => {
  const user = await createUser();
  const { credential, passkey } = await enrol(user, '  Work   laptop ');
  t.is(passkey.name, 'Work laptop');
  t.is(passkey.lastUsedAt, null);
  t.is(passkey.backedUp, false);
  t.is(passkey.deviceType, 'singleDevice');
  t.deepEqual(await service.list(user.id), [passkey]);

  const second = await enrol(user);
  t.is(second.passkey.name, 'Passkey 2', 'a default name counts the passkeys');

  const options = await service.registrationOptions(user);
  t.deepEqual(
    options.excludeCredentials?.map((c) => c.id),
    [credential.id, second.credential.id],
  );
  t.deepEqual(options.excludeCredentials?.[0]?.transports, ['internal']);

  const audit = await auditEvents(db, { target_id: user.id, action: 'mfa.passkey_registered' });
  t.is(audit.length, 2);
  t.is(audit[0].actor_id, user.id);
});

test('registration from another origin or for another RP ID is refused, and the challenge is used up', async (t) => {
  const user = await createUser();
  for (const bent of [
    { origin: 'https://evil.example.net' },
    { rpId: 'evil.example.net' },
    { origin: 'http://id.example.com' },
  ]) {
    const credential = newCredential();
    const { challenge } = await service.registrationOptions(user);
    const response = registrationResponse(credential, { challenge, origin: RP.origin, rpId: RP.id, ...bent });
    t.is(
      await refusal(service.register(user.id, response, '', self(user.id))),
      'passkey.invalid 400',
      JSON.stringify(bent),
    );
    t.deepEqual(await challengeRows(user.id), [], 'consumed even though refused');
  }
  t.deepEqual(await service.list(user.id), []);
});

test('a registration challenge is good once, for its user, for registration only', async (t) => {
  const alice = await createUser();
  const bob = await createUser();
  const credential = newCredential();
  const { challenge } = await service.registrationOptions(alice);
  const response = registrationResponse(credential, { challenge, origin: RP.origin, rpId: RP.id });

  t.is(
    await refusal(service.register(bob.id, response, '', self(bob.id))),
    'passkey.invalid 400',
    "Alice's challenge is not Bob's",
  );
  t.is(
    await refusal(service.register(alice.id, response, '', self(alice.id))),
    'passkey.invalid 400',
    'and it is gone now',
  );

  const fresh = await service.registrationOptions(alice);
  await service.register(
    alice.id,
    registrationResponse(credential, { challenge: fresh.challenge, origin: RP.origin, rpId: RP.id }),
    '',
    self(alice.id),
  );
  t.is(
    await refusal(
      service.register(
        alice.id,
        registrationResponse(credential, { challenge: fresh.challenge, origin: RP.origin, rpId: RP.id }),
        '',
        self(alice.id),
      ),
    ),
    'passkey.invalid 400',
    'replay',
  );

  // A sign-in challenge does not register anything.
  const signInOptions = await service.authenticationOptions(alice.id);
  const other = newCredential();
  t.is(
    await refusal(
      service.register(
        alice.id,
        registrationResponse(other, { challenge: signInOptions.challenge, origin: RP.origin, rpId: RP.id }),
        '',
        self(alice.id),
      ),
    ),
    'passkey.invalid 400',
  );
  t.is((await service.list(alice.id)).length, 1);
  t.is((await service.list(bob.id)).length, 0);
});

test.serial('an expired registration challenge is refused', async (t) => {
  const user = await createUser();
  const { challenge } = await service.registrationOptions(user);
  offsetMs = CHALLENGE_TTL_MS + 1000;
  try {
    const response = registrationResponse(newCredential(), { challenge, origin: RP.origin, rpId: RP.id });
    t.is(await refusal(service.register(user.id, response, '', self(user.id))), 'passkey.invalid 400');
  } finally {
    offsetMs = 0;
  }
});

test('the same authenticator registered twice answers 409; names are checked', async (t) => {
  const user = await createUser();
  const { credential } = await enrol(user);
  const { challenge } = await service.registrationOptions(user);
  t.is(
    await refusal(
      service.register(
        user.id,
        registrationResponse(credential, { challenge, origin: RP.origin, rpId: RP.id }),
        '',
        self(user.id),
      ),
    ),
    'passkey.already_registered 409',
  );

  const again = await service.registrationOptions(user);
  const response = registrationResponse(newCredential(), {
    challenge: again.challenge,
    origin: RP.origin,
    rpId: RP.id,
  });
  t.is(await refusal(service.register(user.id, response, 'x'.repeat(65), self(user.id))), 'passkey.invalid_name 400');
  t.is(await refusal(service.register(user.id, response, 'tab\u0007bell', self(user.id))), 'passkey.invalid_name 400');
  // A refused name leaves the challenge unused: the same answer registers with a good name.
  t.is((await service.register(user.id, response, 'é'.repeat(64), self(user.id))).name, 'é'.repeat(64));
});

// ---- authentication ----

test('a passkey alone signs in: user verification required, counter and last use recorded', async (t) => {
  const user = await createUser();
  const { credential, passkey } = await enrol(user);

  const options = await service.authenticationOptions();
  t.deepEqual(options.allowCredentials, []);
  t.is(options.userVerification, 'required');
  t.is(options.rpId, RP.id);
  const response = authenticationResponse(credential, { challenge: options.challenge, origin: RP.origin, rpId: RP.id });
  t.deepEqual(await service.authenticate(response), { ok: true, userId: user.id, userVerified: true });

  const row = await db('webauthn_credentials').where({ id: passkey.id }).first();
  t.is(Number(row.counter), 1);
  t.truthy(row.last_used_at);
  t.truthy((await service.list(user.id))[0]!.lastUsedAt);

  // Without user verification a passkey alone is not enough.
  t.deepEqual((await signIn(credential, { uv: false })).outcome, { ok: false, code: 'passkey.invalid' });
});

test('the same assertion twice: the second is refused (the challenge is used up)', async (t) => {
  const user = await createUser();
  const { credential } = await enrol(user);
  const { response, outcome } = await signIn(credential);
  t.true(outcome.ok);
  t.deepEqual(await service.authenticate(response), { ok: false, code: 'passkey.invalid' });
});

test('a counter that does not increase is refused (a cloned authenticator); one that never counts is fine', async (t) => {
  const user = await createUser();
  const { credential } = await enrol(user);
  t.true((await signIn(credential, { counter: 5 })).outcome.ok);
  t.deepEqual((await signIn(credential, { counter: 3 })).outcome, { ok: false, code: 'passkey.invalid' }, 'backwards');
  t.deepEqual((await signIn(credential, { counter: 5 })).outcome, { ok: false, code: 'passkey.invalid' }, 'the same');
  t.true((await signIn(credential, { counter: 6 })).outcome.ok);

  // Authenticators that keep no counter (synced passkeys) always say 0.
  const other = await createUser();
  const zero = (await enrol(other)).credential;
  t.true((await signIn(zero, { counter: 0 })).outcome.ok);
  t.true((await signIn(zero, { counter: 0 })).outcome.ok);
  // Once it counted, 0 is a step back.
  t.true((await signIn(zero, { counter: 1 })).outcome.ok);
  t.false((await signIn(zero, { counter: 0 })).outcome.ok);
});

test('two assertions with the same counter at once: exactly one wins (compare-and-set)', async (t) => {
  const user = await createUser();
  const { credential } = await enrol(user);
  const [a, b] = await Promise.all([service.authenticationOptions(), service.authenticationOptions()]);
  const first = authenticationResponse(credential, {
    challenge: a!.challenge,
    origin: RP.origin,
    rpId: RP.id,
    counter: 9,
  });
  const second = authenticationResponse(credential, {
    challenge: b!.challenge,
    origin: RP.origin,
    rpId: RP.id,
    counter: 9,
  });
  const outcomes = await Promise.all([service.authenticate(first), service.authenticate(second)]);
  t.is(outcomes.filter((o) => o.ok).length, 1, JSON.stringify(outcomes));
});

test('assertions from another origin or for another RP ID are refused', async (t) => {
  const user = await createUser();
  const { credential } = await enrol(user);
  t.false((await signIn(credential, { origin: 'https://id.example.com.evil.net' })).outcome.ok);
  t.false((await signIn(credential, { rpId: 'example.com' })).outcome.ok);
  t.false((await signIn(credential, { userId: user.id, origin: 'https://evil.example.net' })).outcome.ok);
  t.true((await signIn(credential)).outcome.ok, 'the authenticator itself still works');
});

test('a bad signature, an unknown credential or a foreign user handle is refused', async (t) => {
  const user = await createUser();
  const { credential } = await enrol(user);
  const options = await service.authenticationOptions();
  const response = authenticationResponse(credential, { challenge: options.challenge, origin: RP.origin, rpId: RP.id });
  const signature = Buffer.from(response.response.signature, 'base64url');
  signature[signature.length - 1]! ^= 1;
  t.false(
    (
      await service.authenticate({
        ...response,
        response: { ...response.response, signature: signature.toString('base64url') },
      })
    ).ok,
  );

  t.false((await signIn(newCredential())).outcome.ok, 'never registered');
  t.false((await signIn(credential, { userHandle: userHandleOf((await createUser()).id) })).outcome.ok);
  t.false((await signIn(credential, { userHandle: null })).outcome.ok, 'a passkey alone must name its user');
  t.true((await signIn(credential, { userId: user.id, userHandle: null })).outcome.ok, 'a second factor need not');
  t.deepEqual(
    await service.authenticate({ id: 'x' } as never),
    { ok: false, code: 'passkey.invalid' },
    'garbage never throws',
  );
});

test("as a second factor: only the user's own credentials, on a challenge issued for them", async (t) => {
  const alice = await createUser();
  const bob = await createUser();
  const aliceKey = (await enrol(alice)).credential;
  const bobKey = (await enrol(bob)).credential;

  const options = await service.authenticationOptions(alice.id);
  t.deepEqual(
    options.allowCredentials?.map((c) => c.id),
    [aliceKey.id],
  );

  t.deepEqual(
    (await signIn(bobKey, { userId: alice.id })).outcome,
    { ok: false, code: 'passkey.invalid' },
    "Bob's key for Alice",
  );
  t.deepEqual(
    (await signIn(aliceKey, { userId: alice.id, uv: false })).outcome,
    { ok: true, userId: alice.id, userVerified: false },
    'no user verification needed',
  );

  // A challenge issued for Alice is not a passkey-alone challenge, nor one for Bob.
  const forAlice = await service.authenticationOptions(alice.id);
  t.false(
    (
      await service.authenticate(
        authenticationResponse(aliceKey, { challenge: forAlice.challenge, origin: RP.origin, rpId: RP.id }),
      )
    ).ok,
  );
  const forAliceAgain = await service.authenticationOptions(alice.id);
  t.false(
    (
      await service.authenticate(
        authenticationResponse(bobKey, { challenge: forAliceAgain.challenge, origin: RP.origin, rpId: RP.id }),
        bob.id,
      )
    ).ok,
  );
  // Nor is a passkey-alone challenge good for a second factor.
  const alone = await service.authenticationOptions();
  t.false(
    (
      await service.authenticate(
        authenticationResponse(aliceKey, { challenge: alone.challenge, origin: RP.origin, rpId: RP.id }),
        alice.id,
      )
    ).ok,
  );
});

test.serial('an expired sign-in challenge is refused; expired challenges are purged', async (t) => {
  const user = await createUser();
  const { credential } = await enrol(user);
  const { challenge } = await service.authenticationOptions(user.id);
  offsetMs = CHALLENGE_TTL_MS + 1000;
  try {
    t.false(
      (
        await service.authenticate(
          authenticationResponse(credential, { challenge, origin: RP.origin, rpId: RP.id }),
          user.id,
        )
      ).ok,
    );
    await service.authenticationOptions(user.id);
    const left = await challengeRows(user.id);
    t.is(left.length, 1, 'only the new one');
  } finally {
    offsetMs = 0;
  }
});

// ---- rename, remove ----

test('rename and remove: own passkeys only, audited, names checked', async (t) => {
  const alice = await createUser();
  const bob = await createUser();
  const { credential, passkey } = await enrol(alice, 'Phone');

  t.is(await refusal(service.rename(bob.id, passkey.id, 'Mine now', self(bob.id))), 'passkey.not_found 404');
  t.is(await refusal(service.remove(bob.id, passkey.id, self(bob.id))), 'passkey.not_found 404');
  t.is(await refusal(service.rename(alice.id, 'not-a-uuid', 'x', self(alice.id))), 'passkey.not_found 404');
  t.is(await refusal(service.rename(alice.id, passkey.id, '   ', self(alice.id))), 'passkey.invalid_name 400');
  t.is(await refusal(service.rename(alice.id, passkey.id, 'y'.repeat(65), self(alice.id))), 'passkey.invalid_name 400');

  const renamed = await service.rename(alice.id, passkey.id, 'Old phone', self(alice.id), '192.0.2.7');
  t.is(renamed.name, 'Old phone');
  t.deepEqual(
    (await service.list(alice.id)).map((p) => p.name),
    ['Old phone'],
  );

  await service.remove(alice.id, passkey.id, self(alice.id));
  t.deepEqual(await service.list(alice.id), []);
  t.false((await signIn(credential)).outcome.ok, 'a removed passkey no longer signs in');
  t.is(await refusal(service.remove(alice.id, passkey.id, self(alice.id))), 'passkey.not_found 404');

  const audit = await auditEvents(db, { target_id: alice.id })
    .whereIn('action', ['mfa.passkey_renamed', 'mfa.passkey_removed'])
    .orderBy('id');
  t.deepEqual(
    audit.map((a) => a.action),
    ['mfa.passkey_renamed', 'mfa.passkey_removed'],
  );
  t.deepEqual(typeof audit[0].changes === 'string' ? JSON.parse(audit[0].changes) : audit[0].changes, {
    name: ['Phone', 'Old phone'],
  });
  t.is(audit[0].ip, '192.0.2.7');
  t.is(await auditEvents(db, { target_id: bob.id }).whereLike('action', 'mfa.%').first(), undefined);
});
