import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import type { AdapterPayload } from 'oidc-provider';
import type { Db } from '../../src/db/database.js';
import { createAdapterClass } from '../../src/oidc/adapter.js';
import { createClientsRepository } from '../../src/repositories/clients.js';
import { createOidcPayloadsRepository } from '../../src/repositories/oidc-payloads.js';
import { createSecretBox } from '../../src/util/crypto.js';
import { useMigratedDatabase } from '../helpers/database.js';
import { handClock } from '../helpers/totp.js';

/**
 * The oidc-provider storage contract (modelled on oidc-provider's own memory
 * adapter) against the real schema, on PGlite or PostgreSQL.
 */

const SECRET = 'adapter-test-server-secret-0123456789abcdef';

const database = useMigratedDatabase(test);
let db: Db;
let payloads: ReturnType<typeof createOidcPayloadsRepository>;
let clients: ReturnType<typeof createClientsRepository>;
let Adapter: ReturnType<typeof createAdapterClass>;

test.before(async () => {
  db = await database();
  payloads = createOidcPayloadsRepository(db);
  clients = createClientsRepository(db, createSecretBox(SECRET, 'client-secret'));
  Adapter = createAdapterClass(payloads, clients);
});

const id = () => randomUUID();
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** How a row's id is stored: bearer credentials under their SHA-256 (base64url); grants and interactions as they are. */
const storedId = (kind: string, rowId: string) =>
  kind === 'Grant' || kind === 'Interaction' ? rowId : createHash('sha256').update(rowId).digest('base64url');
const exists = async (kind: string, rowId: string) =>
  Boolean(
    await db('oidc_payloads')
      .where({ kind, id: storedId(kind, rowId) })
      .first(),
  );
/** A payload found by uid or user code: everything but `jti`, which is not the raw id. */
const withoutJti = (payload: AdapterPayload | undefined, rawId: string) => {
  if (!payload) return payload;
  const { jti, ...rest } = payload;
  return jti && jti !== rawId ? rest : payload;
};

function tokenPayload(extra: Partial<AdapterPayload> = {}): AdapterPayload {
  const iat = nowSeconds();
  return { iat, exp: iat + 3600, jti: id(), kind: 'AccessToken', clientId: 'client-1', scope: 'openid', ...extra };
}

test('upsert then find returns the payload', async (t) => {
  const adapter = new Adapter('AccessToken');
  const jti = id();
  const payload = tokenPayload({
    jti,
    accountId: 'acct-1',
    grantId: id(),
    extra: { nested: [1, 'two', { three: true }] },
  });
  await adapter.upsert(jti, payload, 3600);
  t.deepEqual(await adapter.find(jti), payload);
});

test('upsert without expiresIn keeps the row without expiry', async (t) => {
  const adapter = new Adapter('Grant');
  const grantId = id();
  const payload: AdapterPayload = { jti: grantId, kind: 'Grant', accountId: 'acct-1', clientId: 'client-1' };
  await adapter.upsert(grantId, payload, undefined as unknown as number);
  t.deepEqual(await adapter.find(grantId), payload);
  const row = await db('oidc_payloads').where({ kind: 'Grant', id: grantId }).first();
  t.is(row.expires_at, null);
});

test('access tokens commit without the WAL flush for their own statement only; written again they are replaced', async (t) => {
  const setting = async () =>
    ((await db.raw('SHOW synchronous_commit')) as { rows: { synchronous_commit: string }[] }).rows[0]!
      .synchronous_commit;
  const before = await setting();
  for (const kind of ['AccessToken', 'ClientCredentials']) {
    const adapter = new Adapter(kind);
    const jti = id();
    const payload = tokenPayload({ jti, kind, ...(kind === 'AccessToken' ? { grantId: id() } : {}) });
    await adapter.upsert(jti, payload, 3600);
    const again = { ...payload, scope: 'openid email' };
    await adapter.upsert(jti, again, 60);
    t.deepEqual(await adapter.find(jti), again, kind);
    const row = await db('oidc_payloads')
      .where({ kind, id: storedId(kind, jti) })
      .first();
    t.is(row.grant_id, payload.grantId ?? null);
    t.true(new Date(row.expires_at).getTime() <= Date.now() + 61_000, 'the second expiry is kept');
  }
  t.is(await setting(), before, 'the setting does not outlive the statement on the pooled connection');
});

test('find of an unknown id is undefined', async (t) => {
  const adapter = new Adapter('AccessToken');
  t.is(await adapter.find(id()), undefined);
  t.is(await new Adapter('Session').findByUid(id()), undefined);
  t.is(await new Adapter('DeviceCode').findByUserCode('NOPE-NOPE'), undefined);
});

test('upsert twice replaces the payload and its lookup columns', async (t) => {
  const adapter = new Adapter('Session');
  const sid = id();
  const first: AdapterPayload = {
    jti: sid,
    kind: 'Session',
    uid: `uid-${id()}`,
    accountId: 'acct-old',
    loginTs: 1,
    authorizations: { a: { grantId: 'g' } },
  };
  const second: AdapterPayload = { jti: sid, kind: 'Session', uid: `uid-${id()}`, accountId: 'acct-new', loginTs: 2 };
  await adapter.upsert(sid, first, 3600);
  await adapter.upsert(sid, second, 3600);

  t.deepEqual(await adapter.find(sid), second, 'no key of the first payload survives');
  t.is(await adapter.findByUid(first.uid!), undefined, 'the old uid no longer finds the session');
  const { jti: _jti, ...secondWithoutJti } = second;
  t.deepEqual(withoutJti(await adapter.findByUid(second.uid!), sid), secondWithoutJti);
  const rows = await db('oidc_payloads').where({ kind: 'Session', id: storedId('Session', sid) });
  t.is(rows.length, 1);
  t.is(rows[0].account_id, 'acct-new');
});

test('a payload that expired is not found (repository-inserted, already expired)', async (t) => {
  const jti = id();
  const uid = `uid-${id()}`;
  const userCode = `EXP-${id().slice(0, 8)}`;
  await payloads.upsert('AccessToken', jti, tokenPayload({ jti }), -60);
  await payloads.upsert('Session', jti, { jti, kind: 'Session', uid }, -60);
  await payloads.upsert('DeviceCode', jti, { jti, kind: 'DeviceCode', userCode }, -60);
  t.true(await exists('AccessToken', jti), 'the row is still stored');

  t.is(await new Adapter('AccessToken').find(jti), undefined);
  t.is(await new Adapter('Session').find(jti), undefined);
  t.is(await new Adapter('Session').findByUid(uid), undefined);
  t.is(await new Adapter('DeviceCode').findByUserCode(userCode), undefined);
});

test('a payload upserted with expiresIn=1 disappears after a second', async (t) => {
  // By the repository's clock, moved by hand: the test does not depend on how fast the machine is.
  const { clock, later } = handClock();
  const adapter = new (createAdapterClass(createOidcPayloadsRepository(db, clock), clients))('AuthorizationCode');
  const jti = id();
  const payload = tokenPayload({ jti, kind: 'AuthorizationCode' });
  await adapter.upsert(jti, payload, 1);
  t.deepEqual(await adapter.find(jti), payload);
  later(1.5);
  t.is(await adapter.find(jti), undefined);
});

test('consume marks the payload consumed (epoch seconds) and is idempotent', async (t) => {
  const adapter = new Adapter('AuthorizationCode');
  const jti = id();
  const payload = tokenPayload({ jti, kind: 'AuthorizationCode', grantId: id() });
  await adapter.upsert(jti, payload, 600);
  t.is((await adapter.find(jti))!.consumed, undefined, 'fresh payload is not consumed');

  const before = nowSeconds();
  await adapter.consume(jti);
  const after = nowSeconds();
  const found = await adapter.find(jti);
  t.truthy(found);
  const consumed = found!.consumed;
  t.is(typeof consumed, 'number');
  t.true(Number.isInteger(consumed), 'whole seconds, not milliseconds');
  t.true(consumed >= before - 5 && consumed <= after + 5, `consumed=${consumed} should be near ${before}..${after}`);
  const { consumed: _ignored, ...rest } = found!;
  t.deepEqual(rest, payload, 'the rest of the payload is untouched');

  await sleep(1100);
  await adapter.consume(jti);
  t.is((await adapter.find(jti))!.consumed, consumed, 'a second consume keeps the first time');
});

test('consume of an unknown id does not throw or create a row', async (t) => {
  const jti = id();
  await t.notThrowsAsync(new Adapter('RefreshToken').consume(jti));
  t.false(await exists('RefreshToken', jti));
});

test('destroy removes the payload', async (t) => {
  const adapter = new Adapter('RefreshToken');
  const jti = id();
  await adapter.upsert(jti, tokenPayload({ jti, kind: 'RefreshToken' }), 3600);
  await adapter.destroy(jti);
  t.is(await adapter.find(jti), undefined);
  t.false(await exists('RefreshToken', jti));
  await t.notThrowsAsync(adapter.destroy(jti), 'destroying twice is harmless');
});

test('findByUid finds a Session by its uid', async (t) => {
  const adapter = new Adapter('Session');
  const sid = id();
  const uid = `uid-${id()}`;
  const payload: AdapterPayload = { jti: sid, kind: 'Session', uid, accountId: 'acct-uid', exp: nowSeconds() + 3600 };
  await adapter.upsert(sid, payload, 3600);
  const { jti: _jti, ...rest } = payload;
  t.deepEqual(withoutJti(await adapter.findByUid(uid), sid), rest);
  t.is(await new Adapter('Interaction').findByUid(uid), undefined, 'the uid lookup is scoped to the kind');
});

test('findByUserCode finds a DeviceCode by its user code', async (t) => {
  const adapter = new Adapter('DeviceCode');
  const jti = id();
  const userCode = `UC-${id().slice(0, 8)}`;
  const payload = tokenPayload({ jti, kind: 'DeviceCode', userCode, deviceInfo: { ua: 'test' } });
  await adapter.upsert(jti, payload, 600);
  const { jti: _jti, ...rest } = payload;
  t.deepEqual(withoutJti(await adapter.findByUserCode(userCode), jti), rest);
  t.is(
    await new Adapter('AccessToken').findByUserCode(userCode),
    undefined,
    'the user-code lookup is scoped to the kind',
  );
});

test('a bearer credential is stored under the hash of its id, and the table holds its value nowhere', async (t) => {
  const kinds = ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'ClientCredentials', 'Session', 'DeviceCode'];
  const values: string[] = [];
  for (const kind of kinds) {
    const value = `${kind}-${id()}`;
    values.push(value);
    await new Adapter(kind).upsert(
      value,
      tokenPayload({ jti: value, kind, uid: kind === 'Session' ? `uid-${id()}` : undefined }),
      3600,
    );
    const row = await db('oidc_payloads')
      .where({ kind, id: storedId(kind, value) })
      .first();
    t.truthy(row, `${kind} is stored under the SHA-256 of its id`);
    t.false('jti' in row.payload, `${kind}'s payload does not repeat its id`);
    t.deepEqual(
      await new Adapter(kind).find(value),
      { ...row.payload, jti: value },
      `${kind} is found by its value, with its jti`,
    );
  }
  const { rows } = (await db.raw('SELECT t::text AS line FROM oidc_payloads t')) as { rows: { line: string }[] };
  const dump = rows.map((r) => r.line).join('\n');
  for (const value of values) t.false(dump.includes(value), `${value} appears nowhere in the table`);
});

test('an interaction does not keep the session cookie oidc-provider copies into it', async (t) => {
  const interaction = id();
  const cookie = `session-cookie-${id()}`;
  const session = { uid: `uid-${id()}`, accountId: 'acct-1', cookie };
  await new Adapter('Interaction').upsert(
    interaction,
    { jti: interaction, kind: 'Interaction', exp: nowSeconds() + 600, session, returnTo: `/auth/${interaction}` },
    600,
  );
  const found = await new Adapter('Interaction').find(interaction);
  t.deepEqual(found!.session, { uid: session.uid, accountId: 'acct-1' });
  t.is(found!.jti, interaction);
  const { rows } = (await db.raw('SELECT t::text AS line FROM oidc_payloads t')) as { rows: { line: string }[] };
  t.false(rows.some((r) => r.line.includes(cookie)));
});

test('a row found by uid or user code is written, consumed and destroyed through the jti it came with; that jti finds nothing', async (t) => {
  const sid = id();
  const uid = `uid-${id()}`;
  await new Adapter('Session').upsert(
    sid,
    { jti: sid, kind: 'Session', uid, accountId: 'acct-1', exp: nowSeconds() + 3600 },
    3600,
  );
  const byUid = (await new Adapter('Session').findByUid(uid))!;
  t.truthy(byUid.jti);
  t.not(byUid.jti, sid, 'the raw session id is not known from its uid');
  t.is(await new Adapter('Session').find(byUid.jti!), undefined, 'the jti of a uid lookup is no session cookie');
  await new Adapter('Session').upsert(byUid.jti!, { ...byUid, loginTs: 42 }, 3600);
  t.is((await new Adapter('Session').find(sid))!.loginTs, 42, 'saving it updates the same row');
  t.is(
    await db('oidc_payloads')
      .where({ kind: 'Session' })
      .where('uid', uid)
      .count('* as n')
      .first()
      .then((r) => Number(r!.n)),
    1,
  );

  const device = id();
  const userCode = `UC-${id().slice(0, 8)}`;
  await new Adapter('DeviceCode').upsert(device, tokenPayload({ jti: device, kind: 'DeviceCode', userCode }), 600);
  const byCode = (await new Adapter('DeviceCode').findByUserCode(userCode))!;
  await new Adapter('DeviceCode').upsert(byCode.jti!, { ...byCode, accountId: 'acct-2' }, 600);
  t.is((await new Adapter('DeviceCode').find(device))!.accountId, 'acct-2');
  await new Adapter('DeviceCode').consume(byCode.jti!);
  t.truthy((await new Adapter('DeviceCode').find(device))!.consumed);
  await new Adapter('DeviceCode').destroy(byCode.jti!);
  t.false(await exists('DeviceCode', device));
});

test('revokeByGrantId removes every kind sharing the grant and leaves the rest', async (t) => {
  const grantId = id();
  const otherGrantId = id();
  const grantKinds = [
    'AccessToken',
    'AuthorizationCode',
    'RefreshToken',
    'DeviceCode',
    'BackchannelAuthenticationRequest',
    'PreAuthorizedCode',
  ];
  const revoked: Array<[string, string]> = [];
  for (const kind of grantKinds) {
    const jti = id();
    await new Adapter(kind).upsert(jti, tokenPayload({ jti, kind, grantId }), 3600);
    revoked.push([kind, jti]);
  }
  const otherToken = id();
  await new Adapter('AccessToken').upsert(otherToken, tokenPayload({ jti: otherToken, grantId: otherGrantId }), 3600);
  const noGrantToken = id();
  await new Adapter('ClientCredentials').upsert(
    noGrantToken,
    tokenPayload({ jti: noGrantToken, kind: 'ClientCredentials' }),
    3600,
  );
  await new Adapter('Grant').upsert(
    grantId,
    { jti: grantId, kind: 'Grant', accountId: 'acct-g', clientId: 'client-1' },
    3600,
  );
  const sid = id();
  await new Adapter('Session').upsert(
    sid,
    { jti: sid, kind: 'Session', uid: `uid-${id()}`, authorizations: { 'client-1': { grantId } } },
    3600,
  );

  // A prompt=login interaction started in a browser whose session held the grant.
  const interactionId = id();
  await new Adapter('Interaction').upsert(
    interactionId,
    { jti: interactionId, kind: 'Interaction', uid: interactionId, grantId, session: { uid: `uid-${id()}` } },
    3600,
  );

  await new Adapter('AccessToken').revokeByGrantId(grantId);

  for (const [kind, jti] of revoked) {
    t.is(await new Adapter(kind).find(jti), undefined, `${kind} under the grant is gone`);
  }
  t.truthy(await new Adapter('AccessToken').find(otherToken), 'a token of another grant stays');
  t.truthy(await new Adapter('ClientCredentials').find(noGrantToken), 'a token without a grant stays');
  t.truthy(await new Adapter('Grant').find(grantId), 'the Grant itself is not a member of its grant');
  t.truthy(await new Adapter('Session').find(sid), 'a session referring to the grant only inside its payload stays');
  t.truthy(
    await new Adapter('Interaction').find(interactionId),
    'an interaction carrying the grant id stays (another person may be signing in with it)',
  );
});

test('the same id under two kinds is independent', async (t) => {
  const shared = id();
  const access = new Adapter('AccessToken');
  const refresh = new Adapter('RefreshToken');
  const a = tokenPayload({ jti: shared, kind: 'AccessToken', scope: 'openid' });
  const r = tokenPayload({ jti: shared, kind: 'RefreshToken', scope: 'openid offline_access' });
  await access.upsert(shared, a, 3600);
  await refresh.upsert(shared, r, 3600);
  t.deepEqual(await access.find(shared), a);
  t.deepEqual(await refresh.find(shared), r);

  await refresh.consume(shared);
  t.is((await access.find(shared))!.consumed, undefined, 'consuming one kind leaves the other');
  await access.destroy(shared);
  t.is(await access.find(shared), undefined);
  t.truthy(await refresh.find(shared), 'destroying one kind leaves the other');
});

test("'Client' reads the clients repository with the secret decrypted", async (t) => {
  const clientId = `client-${id()}`;
  const secret = `plaintext-secret-${id()}`;
  const metadata = {
    client_name: 'Test app',
    redirect_uris: ['https://app.example.com/cb'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
  await clients.save(clientId, metadata, secret, true);

  const found = await new Adapter('Client').find(clientId);
  t.deepEqual(found, { ...metadata, client_id: clientId, first_party: true, client_secret: secret });

  const row = await db('oidc_clients').where('client_id', clientId).first();
  t.is(typeof row.secret_encrypted, 'string');
  t.not(row.secret_encrypted, secret);
  t.false(row.secret_encrypted.includes(secret), 'the stored secret is not the plaintext');
  t.false(JSON.stringify(row.metadata).includes(secret), 'the metadata column carries no secret');
  t.true(row.first_party);
});

test("'Client' without a secret, and an unknown client", async (t) => {
  const clientId = `public-${id()}`;
  const metadata = { redirect_uris: ['https://spa.example.com/cb'], token_endpoint_auth_method: 'none' };
  await clients.save(clientId, metadata, null, false);
  const found = await new Adapter('Client').find(clientId);
  t.deepEqual(found, { ...metadata, client_id: clientId, first_party: false });
  t.false('client_secret' in found!);
  t.is(await new Adapter('Client').find(`missing-${id()}`), undefined);
});

test('a client secret is bound to its client id: copied to another client it does not open', async (t) => {
  const a = `client-a-${id()}`;
  const b = `client-b-${id()}`;
  await clients.save(a, { redirect_uris: ['https://a.example.com/cb'] }, 'secret-a', false);
  await clients.save(b, { redirect_uris: ['https://b.example.com/cb'] }, 'secret-b', false);
  const { secret_encrypted } = await db('oidc_clients').select('secret_encrypted').where('client_id', a).first();
  await db('oidc_clients').where('client_id', b).update({ secret_encrypted });
  await t.throwsAsync(new Adapter('Client').find(b));
});

test("upsert on 'Client' throws and stores nothing", async (t) => {
  const clientId = `client-${id()}`;
  await t.throwsAsync(new Adapter('Client').upsert(clientId, { client_id: clientId, redirect_uris: [] }, 3600));
  t.false(await clients.exists(clientId));
  t.false(await exists('Client', clientId));
});

test("revokeAccount removes the account's sessions, grants, tokens and everything under its grants only", async (t) => {
  const accountA = `acct-${id()}`;
  const accountB = `acct-${id()}`;
  const grantA = id();
  const grantB = id();
  const put = async (kind: string, payload: AdapterPayload) => {
    const rowId = id();
    await new Adapter(kind).upsert(rowId, { jti: rowId, kind, ...payload }, 3600);
    return [kind, rowId] as const;
  };

  const gone = [
    await put('Session', { uid: `uid-${id()}`, accountId: accountA }),
    await put('AccessToken', { accountId: accountA, grantId: grantA }),
    await put('RefreshToken', { accountId: accountA, grantId: grantA }),
    // Under A's grant but without the account id copied out: still goes.
    await put('AuthorizationCode', { grantId: grantA }),
  ];
  await new Adapter('Grant').upsert(
    grantA,
    { jti: grantA, kind: 'Grant', accountId: accountA, clientId: 'client-1' },
    3600,
  );
  gone.push(['Grant', grantA]);

  const stays = [
    await put('Session', { uid: `uid-${id()}`, accountId: accountB }),
    await put('AccessToken', { accountId: accountB, grantId: grantB }),
    await put('RefreshToken', { accountId: accountB, grantId: grantB }),
    await put('AuthorizationCode', { grantId: grantB }),
    await put('ClientCredentials', {}),
  ];
  await new Adapter('Grant').upsert(
    grantB,
    { jti: grantB, kind: 'Grant', accountId: accountB, clientId: 'client-1' },
    3600,
  );
  stays.push(['Grant', grantB]);

  t.is(await payloads.revokeAccount(accountA), gone.length);
  for (const [kind, rowId] of gone) t.false(await exists(kind, rowId), `${kind} of account A is gone`);
  for (const [kind, rowId] of stays) t.true(await exists(kind, rowId), `${kind} of account B stays`);
  t.is(await payloads.revokeAccount(accountA), 0, 'nothing left to revoke');
});

test.serial('deleteExpired removes only rows that expired longer ago than the grace period', async (t) => {
  const longExpired = id();
  const recentlyExpired = id();
  const live = id();
  const forever = id();
  await payloads.upsert('AccessToken', longExpired, { jti: longExpired }, -7200);
  await payloads.upsert('AccessToken', recentlyExpired, { jti: recentlyExpired }, -60);
  await payloads.upsert('AccessToken', live, { jti: live }, 3600);
  await payloads.upsert('Grant', forever, { jti: forever }, undefined);

  t.is(await payloads.deleteExpired(3600), 1);
  t.false(await exists('AccessToken', longExpired));
  t.true(await exists('AccessToken', recentlyExpired), 'within the grace period it stays (though find ignores it)');
  t.true(await exists('AccessToken', live));
  t.true(await exists('Grant', forever), 'a row without expiry never expires');

  t.is(await payloads.deleteExpired(0), 1, 'with no grace the recently expired row goes too');
  t.false(await exists('AccessToken', recentlyExpired));
  t.true(await exists('AccessToken', live));
  t.true(await exists('Grant', forever));
});

test('many tokens saved at once are all stored, each with its own payload; a token saved twice at once keeps one row', async (t) => {
  const adapter = new Adapter('AccessToken');
  const tokens = Array.from({ length: 40 }, (_, i) => ({
    id: id(),
    payload: { accountId: `user-${i}`, grantId: id() },
  }));
  const twice = id();
  await Promise.all([
    ...tokens.map((tk) => adapter.upsert(tk.id, { ...tk.payload, jti: tk.id }, 600)),
    adapter.upsert(twice, { jti: twice, accountId: 'first' }, 600),
    adapter.upsert(twice, { jti: twice, accountId: 'second' }, 600),
  ]);
  for (const tk of tokens) t.like(await adapter.find(tk.id), { jti: tk.id, ...tk.payload });
  t.is((await adapter.find(twice))?.accountId, 'second', 'the later save wins');
  const rows = await db('oidc_payloads').where({ kind: 'AccessToken', id: storedId('AccessToken', twice) });
  t.is(rows.length, 1);
});
