import { createHash, randomBytes, randomUUID } from 'node:crypto';
import test from 'ava';
import type { Db } from '../../src/db/database.js';
import type { Role } from '../../src/domain/user.js';
import { createImpersonationsRepository } from '../../src/repositories/impersonations.js';
import { createOidcPayloadsRepository } from '../../src/repositories/oidc-payloads.js';
import { createUsersRepository } from '../../src/repositories/users.js';
import { auditEvents } from '../helpers/audit.js';
import { useMigratedDatabase } from '../helpers/database.js';

const database = useMigratedDatabase(test);
let db: Db;
let users: ReturnType<typeof createUsersRepository>;
let impersonations: ReturnType<typeof createImpersonationsRepository>;
let payloads: ReturnType<typeof createOidcPayloadsRepository>;

test.before(async () => {
  db = await database();
  users = createUsersRepository(db);
  impersonations = createImpersonationsRepository(db);
  payloads = createOidcPayloadsRepository(db);
});

const HOUR = 3600_000;
const later = (ms: number) => new Date(Date.now() + ms);

async function createUser(mainRole: Role = 'individual') {
  const tag = randomBytes(5).toString('hex');
  return db.transaction((trx) =>
    users.create({ userCode: `U${tag}`, email: `u.${tag}@example.com`, status: 'active', mainRole }, trx),
  );
}

async function put(kind: string, payload: Record<string, unknown>, id = randomUUID()) {
  await payloads.upsert(kind, id, { jti: id, kind, ...payload }, 3600);
  return id;
}
/** Bearer credentials are stored under the SHA-256 of their id; grants as they are. */
const storedId = (kind: string, id: string) =>
  kind === 'Grant' ? id : createHash('sha256').update(id).digest('base64url');
const exists = async (kind: string, id: string) =>
  Boolean(
    await db('oidc_payloads')
      .where({ kind, id: storedId(kind, id) })
      .first(),
  );

async function exchange(actorId: string, targetId: string, sessionUid: string | null = null) {
  const grantId = await put('Grant', { accountId: targetId, clientId: 'console' });
  const id = randomUUID();
  const row = await impersonations.createExchange(
    { id, actorId, targetId, clientId: 'console', grantId, sessionUid, now: new Date(), expiresAt: later(HOUR) },
    {
      actor: { type: 'user', id: actorId },
      action: 'impersonation.token_exchanged',
      targetType: 'user',
      targetId,
      details: { impersonationId: id },
    },
  );
  const tokenId = await put('AccessToken', { accountId: targetId, grantId, clientId: 'console' });
  return { row, grantId, tokenId };
}

/** An admin's session switched to the target, with a grant it made meanwhile. */
async function interactive(actorId: string, targetId: string) {
  const ticket = await impersonations.createTicket({
    actorId,
    targetId,
    clientId: 'console',
    ticketHash: randomUUID(),
    now: new Date(),
    ticketExpiresAt: later(120_000),
  });
  const uid = `uid-${randomUUID()}`;
  const grantId = await put('Grant', { accountId: targetId, clientId: 'app' });
  const sessionId = await put('Session', {
    uid,
    accountId: targetId,
    authorizations: { app: { grantId, sid: 'sid' } },
  });
  const tokenId = await put('AccessToken', { accountId: targetId, grantId, clientId: 'app', sessionUid: uid });
  await db('impersonations')
    .where({ id: ticket.id })
    .update({ session_uid: uid, started_at: new Date(), expires_at: later(HOUR) });
  return { id: ticket.id, uid, grantId, sessionId, tokenId };
}

test('parties: both users with every role assignment and its scope; unknown or malformed ids are missing', async (t) => {
  const actor = await createUser('admin');
  const target = await createUser('individual');
  const account = (
    await db('accounts')
      .insert({ name: `Acme ${randomUUID()}`, kind: 'customer' })
      .returning('id')
  )[0].id;
  await db('role_assignments').insert({ user_id: target.id, role: 'admin', account_id: account });

  const { actor: a, target: b } = await impersonations.parties(actor.id, target.id);
  t.is(a!.user.id, actor.id);
  t.deepEqual(a!.assignments, [{ role: 'admin', accountId: null, accountGroupId: null }]);
  t.deepEqual(b!.assignments.map((x) => `${x.role}@${x.accountId ?? '-'}`).sort(), [
    `admin@${account}`,
    'individual@-',
  ]);
  t.is((await impersonations.parties(actor.id, randomUUID())).target, undefined);
  t.is((await impersonations.parties(actor.id, 'not-a-uuid')).target, undefined);
  t.deepEqual(await impersonations.parties('not-a-uuid', target.id), {});
});

test('a ticket is redeemed once, by its actor, before it expires', async (t) => {
  const actor = await createUser('admin');
  const other = await createUser('admin');
  const target = await createUser();
  const hash = randomUUID();
  await impersonations.createTicket({
    actorId: actor.id,
    targetId: target.id,
    clientId: null,
    ticketHash: hash,
    now: new Date(),
    ticketExpiresAt: later(120_000),
  });
  t.truthy(await impersonations.findTicket(hash, new Date()));
  t.falsy(await impersonations.findTicket(hash, later(121_000)), 'expired');

  t.falsy(
    await impersonations.redeemTicket({
      ticketHash: hash,
      actorId: other.id,
      sessionUid: 's1',
      now: new Date(),
      expiresAt: later(HOUR),
    }),
  );
  const started = await impersonations.redeemTicket({
    ticketHash: hash,
    actorId: actor.id,
    sessionUid: 's1',
    now: new Date(),
    expiresAt: later(HOUR),
  });
  t.is(started?.sessionUid, 's1');
  t.falsy(
    await impersonations.redeemTicket({
      ticketHash: hash,
      actorId: actor.id,
      sessionUid: 's2',
      now: new Date(),
      expiresAt: later(HOUR),
    }),
    'single use',
  );
  t.is((await impersonations.activeOnSession('s1'))?.targetId, target.id);
});

test('findForToken: an exchange by its grant, an interactive impersonation by its session, for its target only', async (t) => {
  const actor = await createUser('admin');
  const target = await createUser();
  const { row, grantId } = await exchange(actor.id, target.id, 'actor-session');
  t.is((await impersonations.findForToken({ accountId: target.id, grantId }))?.id, row.id);
  const audited = await auditEvents(db, {
    action: 'impersonation.token_exchanged',
    actor_id: actor.id,
    target_id: target.id,
  });
  t.is(audited.length, 1, 'the exchange is recorded with its audit row, in the same statement');
  t.falsy(await impersonations.findForToken({ accountId: actor.id, grantId }), 'not for another account');
  t.falsy(
    await impersonations.findForToken({ accountId: target.id, sessionUid: 'actor-session' }),
    "the actor token's session is not an interactive one",
  );

  const live = await interactive(actor.id, target.id);
  t.is(
    (await impersonations.findForToken({ accountId: target.id, grantId: live.grantId, sessionUid: live.uid }))?.id,
    live.id,
  );
  t.falsy(
    await impersonations.findForToken({ accountId: actor.id, sessionUid: live.uid }),
    "the admin's own tokens from that session",
  );
});

test('endForSession ends what ran on a session and the exchanges made with its tokens, once', async (t) => {
  const actor = await createUser('admin');
  const target = await createUser();
  const made = await exchange(actor.id, target.id, 'session-x');
  const other = await exchange(actor.id, target.id, 'session-y');
  const ended = await impersonations.endForSession('session-x', 'signed_out', new Date());
  t.deepEqual(
    ended.map((i) => i.id),
    [made.row.id],
  );
  t.is(ended[0]!.endedReason, 'signed_out');
  t.deepEqual(await impersonations.endForSession('session-x', 'signed_out', new Date()), []);
  t.falsy((await db('impersonations').where({ id: other.row.id }).first()).ended_at);
});

test('revokeAccount of an admin ends their impersonations: exchanged tokens, and the session they switched with what it was granted', async (t) => {
  const actor = await createUser('admin');
  const target = await createUser();
  const ownGrant = await put('Grant', { accountId: target.id, clientId: 'app' });
  const ownToken = await put('AccessToken', { accountId: target.id, grantId: ownGrant, clientId: 'app' });
  const exchanged = await exchange(actor.id, target.id);
  const live = await interactive(actor.id, target.id);

  const gone = await payloads.revokeAccount(actor.id);
  t.is(gone, 5, 'the exchange: its grant and token; the interactive one: the session, its grant and token');
  for (const [kind, id] of [
    ['Grant', exchanged.grantId],
    ['AccessToken', exchanged.tokenId],
    ['Session', live.sessionId],
    ['Grant', live.grantId],
    ['AccessToken', live.tokenId],
  ] as const) {
    t.false(await exists(kind, id), `${kind} ${id} is gone`);
  }
  t.true(await exists('Grant', ownGrant), "the target's own grant stays");
  t.true(await exists('AccessToken', ownToken), "the target's own token stays");
  const rows = await db('impersonations').where({ actor_id: actor.id }).whereNotNull('started_at');
  t.true(rows.every((r) => r.ended_reason === 'account_ended'));
});
