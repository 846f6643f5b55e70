import test from 'ava';
import * as oidc from 'openid-client';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE, USER_ID_TOKEN_TYPE } from '../../src/oidc/token-exchange.js';
import { adminServerPerFile, PASSWORD, signedInPerFile } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';
import { Browser } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';

/** Issue 13 section 5 over HTTP: restore, approve, MFA reset, invite on create, nobody changes themself. */
const s = adminServerPerFile(test);
const admin = signedInPerFile(test, s, 'admin');
const hr = signedInPerFile(test, s, 'hr');

const db = () => s.server.db;
const email = (what: string) => `${what}-${Math.random().toString(36).slice(2)}@example.com`;
const status = async (id: string) => (await db()('users').select('status').where({ id }).first()).status;

/** The mails sent to `to`, newest first. */
const mailsTo = (to: string) => s.server.repos.outbox.list(20, to);

// ---------------------------------------------------------------------------
// Undo the first delete

test('a deleted user is listed with status=deleted and restored to inactive, roles and employment kept', async (t) => {
  const user = await s.server.createUser({ role: 'manager' });
  t.is((await admin.api('DELETE', `/users/${user.id}`)).body.status, 'deleted');
  const listed = await admin.api('GET', `/users?status=deleted&q=${encodeURIComponent(user.email)}`);
  t.deepEqual(
    listed.body.items.map((u: { id: string }) => u.id),
    [user.id],
  );

  const restored = await admin.api('POST', `/users/${user.id}/restore`);
  t.is(restored.status, 200, JSON.stringify(restored.body));
  t.is(restored.body.status, 'inactive');
  t.is(restored.body.email, user.email);
  const read = await admin.api('GET', `/users/${user.id}`);
  t.deepEqual(
    read.body.roles.map((r: { role: string }) => r.role),
    ['manager'],
  );
  t.is(read.body.employments.length, 1);
  const event = await auditEvents(s.server, { target_id: user.id, action: 'user.restored' }).first();
  t.is(event.actor_id, admin.id);
  t.deepEqual(event.changes, { status: ['deleted', 'inactive'] });

  // Reactivated, they sign in again.
  t.is((await admin.api('POST', `/users/${user.id}/status`, { status: 'active' })).status, 200);
  const rp = await relyingParty(s.server, await s.server.createClient());
  t.truthy((await rp.signIn({ username: user.email, password: PASSWORD })).tokens.id_token);
});

test('restore refuses: a user not deleted, an anonymised one, one whose email someone took meanwhile, one gone for good', async (t) => {
  const active = await s.server.createUser();
  const notDeleted = await admin.api('POST', `/users/${active.id}/restore`);
  t.is(notDeleted.status, 409);
  t.is(notDeleted.body.error, 'user.not_deleted');

  const anonymised = await s.server.createUser();
  await admin.api('DELETE', `/users/${anonymised.id}`);
  t.is((await admin.api('POST', `/users/${anonymised.id}/anonymise`)).status, 200);
  const erased = await admin.api('POST', `/users/${anonymised.id}/restore`);
  t.is(erased.status, 409);
  t.is(erased.body.error, 'user.already_anonymised');
  t.is(await status(anonymised.id), 'deleted');

  const taken = await s.server.createUser();
  await admin.api('DELETE', `/users/${taken.id}`);
  const successor = await admin.api('POST', '/users', { email: taken.email.toUpperCase() });
  t.is(successor.status, 201, 'a deleted user frees their email');
  const clash = await admin.api('POST', `/users/${taken.id}/restore`);
  t.is(clash.status, 409);
  t.is(clash.body.error, 'user.email_taken');
  t.is(await status(taken.id), 'deleted');

  const gone = await s.server.createUser();
  await admin.api('DELETE', `/users/${gone.id}`);
  t.is((await admin.api('DELETE', `/users/${gone.id}`)).status, 204);
  t.is((await admin.api('POST', `/users/${gone.id}/restore`)).status, 404);
});

test('restoring is an admin power (as deleting is): hr may not', async (t) => {
  const user = await s.server.createUser();
  await admin.api('DELETE', `/users/${user.id}`);
  const refused = await hr.api('POST', `/users/${user.id}/restore`);
  t.is(refused.status, 403);
  t.is(await status(user.id), 'deleted');
});

// ---------------------------------------------------------------------------
// Approve and notify

test('approve: a pending user becomes active and is told by mail; they then sign in', async (t) => {
  const user = await s.server.createUser({ status: 'pending' });
  const res = await hr.api('POST', `/users/${user.id}/approve`);
  t.is(res.status, 200, JSON.stringify(res.body));
  t.is(res.body.user.status, 'active');
  t.true(res.body.notified);
  const [mail] = await mailsTo(user.email);
  t.is(mail?.subject, 'Your Gatehouse account is approved');
  t.true(mail?.text.includes(`${s.server.url}/account/login`));
  const event = await auditEvents(s.server, { target_id: user.id, action: 'user.approved' }).first();
  t.is(event.actor_id, hr.id);
  t.deepEqual(event.changes, { status: ['pending', 'active'] });

  const rp = await relyingParty(s.server, await s.server.createClient());
  t.truthy((await rp.signIn({ username: user.email, password: PASSWORD })).tokens.id_token);

  const again = await hr.api('POST', `/users/${user.id}/approve`);
  t.is(again.status, 409);
  t.is(again.body.error, 'user.not_pending');
});

test('approve: a user without email is approved and not notified; a manager may not approve', async (t) => {
  const made = await admin.api('POST', '/users', { email: null, givenName: 'Nomail', status: 'pending' });
  t.is(made.status, 201);
  const res = await hr.api('POST', `/users/${made.body.id}/approve`);
  t.is(res.status, 200);
  t.deepEqual([res.body.user.status, res.body.notified], ['active', false]);

  const manager = await s.as('manager');
  const pending = await s.server.createUser({ status: 'pending' });
  t.is((await manager.api('POST', `/users/${pending.id}/approve`)).status, 403);
  t.is(await status(pending.id), 'pending');
});

// ---------------------------------------------------------------------------
// Reset MFA, send a password-reset mail

test('unlock: a locked user goes back to the status they had before the lock, failed attempts forgotten', async (t) => {
  const user = await s.server.createUser({ status: 'new' });
  await db()('users').where({ id: user.id }).update({ failed_attempts: 4 });
  t.is((await hr.api('POST', `/users/${user.id}/status`, { status: 'locked' })).status, 200);
  const unlocked = await hr.api('POST', `/users/${user.id}/unlock`);
  t.is(unlocked.status, 200, JSON.stringify(unlocked.body));
  t.is(unlocked.body.status, 'new');
  t.is((await db()('users').select('failed_attempts').where({ id: user.id }).first()).failed_attempts, 0);
  const [event] = await auditEvents(s.server, { target_id: user.id, action: 'user.status_changed' }).orderBy(
    'id',
    'desc',
  );
  t.deepEqual(event.changes, { status: ['locked', 'new'] });

  const again = await hr.api('POST', `/users/${user.id}/unlock`);
  t.is(again.status, 409);
  t.is(again.body.error, 'user.not_locked');
  const manager = await s.as('manager');
  t.is((await manager.api('POST', `/users/${user.id}/unlock`)).status, 403);
});

test("reset MFA: hr removes a user's factors and lifts the MFA lock; audited", async (t) => {
  const user = await s.server.createUser();
  await db()('totp_factors').insert({ user_id: user.id, secret_sealed: 'sealed', confirmed_at: new Date() });
  await db()('recovery_codes').insert({ user_id: user.id, code_hash: 'hash' });
  await db()('webauthn_credentials').insert({
    user_id: user.id,
    credential_id: `cred-${user.id}`,
    public_key: Buffer.from('key'),
    name: 'Key',
  });
  await db()('users')
    .where({ id: user.id })
    .update({ mfa_failed_attempts: 5, mfa_locked_until: new Date(Date.now() + 3_600_000) });

  const res = await hr.api('POST', `/users/${user.id}/mfa/reset`);
  t.is(res.status, 204, JSON.stringify(res.body));
  for (const table of ['totp_factors', 'recovery_codes', 'webauthn_credentials'])
    t.is(Number((await db()(table).count('* as n').where({ user_id: user.id }).first())!.n), 0, table);
  const row = await db()('users').select('mfa_failed_attempts', 'mfa_locked_until').where({ id: user.id }).first();
  t.deepEqual([row.mfa_failed_attempts, row.mfa_locked_until], [0, null]);
  const event = await auditEvents(s.server, { target_id: user.id, action: 'mfa.reset' }).first();
  t.is(event.actor_id, hr.id);
  t.truthy(event.ip);
});

test('reset MFA refusals: a manager may not; hr may not reset an admin; unknown users are 404', async (t) => {
  const manager = await s.as('manager');
  const user = await s.server.createUser();
  t.is((await manager.api('POST', `/users/${user.id}/mfa/reset`)).status, 403);
  const above = await s.server.createUser({ role: 'admin' });
  const res = await hr.api('POST', `/users/${above.id}/mfa/reset`);
  t.is(res.status, 403);
  t.is(res.body.error, 'admin_api.forbidden_target');
  t.is((await hr.api('POST', '/users/3f1b9e0e-0000-4000-8000-000000000000/mfa/reset')).status, 404);
});

test('a password-reset mail through the API: POST /users/{id}/password {sendLink: true}', async (t) => {
  const user = await s.server.createUser();
  t.is((await hr.api('POST', `/users/${user.id}/password`, { sendLink: true })).status, 204);
  const [mail] = await mailsTo(user.email);
  t.is(mail?.subject, 'Reset your Gatehouse password');
  t.regex(mail?.text ?? '', /reset-password\?token=/);
  t.truthy(await auditEvents(s.server, { target_id: user.id, action: 'user.password_link_sent' }).first());
});

// ---------------------------------------------------------------------------
// Invite on create

test('invite on create: the invitation goes at once with the personal message, quoted as plain text', async (t) => {
  const to = email('invited');
  const res = await admin.api('POST', '/users', {
    email: to,
    givenName: 'Ivy',
    invite: true,
    message: 'Welcome aboard!\r\nSee you Monday.\u0007\n<b>Ann</b>',
  });
  t.is(res.status, 201, JSON.stringify(res.body));
  const invitation = await admin.api('GET', `/users/${res.body.id}/invitation`);
  t.is(invitation.body.state, 'pending');
  const [mail] = await mailsTo(to);
  t.is(mail?.subject, 'You are invited to Gatehouse');
  t.true(
    mail?.text.includes(`${admin.email} wrote:\n> Welcome aboard!\n> See you Monday.\n> <b>Ann</b>\n`),
    mail?.text,
  );
  t.regex(mail?.text ?? '', /reset-password\?token=/);
  const event = await auditEvents(s.server, { target_id: res.body.id, action: 'user.invited' }).first();
  t.deepEqual(event.details, { message: true }, 'the audit says a message went, not what it said');

  // The link chooses a password.
  const link = /https?:\/\/\S+reset-password\?token=\S+/.exec(mail!.text)![0];
  const browser = new Browser(s.server.url);
  const form = await browser.open(link);
  const done = await browser.submit(form, {
    password: 'amber-orchard-62-kestrel',
    password_confirm: 'amber-orchard-62-kestrel',
  });
  t.regex(done.html, /Password changed/);
});

test('a personal message also goes with an invitation sent later by hand, but not with a scheduled one', async (t) => {
  const user = await s.server.createUser();
  const sent = await hr.api('POST', `/users/${user.id}/invitation`, { message: 'Your courses are ready.' });
  t.is(sent.status, 200, JSON.stringify(sent.body));
  const [mail] = await mailsTo(user.email);
  t.true(mail?.text.includes(`${hr.email} wrote:\n> Your courses are ready.\n`), mail?.text);
  const scheduled = await hr.api('POST', `/users/${user.id}/invitation`, {
    at: new Date(Date.now() + 86_400_000).toISOString(),
    message: 'Later',
  });
  t.is(scheduled.status, 409);
  t.is(scheduled.body.error, 'invitation.message_scheduled');
});

test('invite on create refuses what cannot be invited, and creates nobody', async (t) => {
  const tried = [email('off'), email('msg'), email('long')];
  const noEmail = await admin.api('POST', '/users', { givenName: 'X', invite: true });
  t.is(noEmail.status, 400);
  t.regex(noEmail.body.message, /an invitation needs an email/);
  const inactive = await admin.api('POST', '/users', { email: tried[0], status: 'inactive', invite: true });
  t.is(inactive.status, 400);
  const orphan = await admin.api('POST', '/users', { email: tried[1], message: 'Hello' });
  t.is(orphan.status, 400, 'a message goes with invite: true');
  const long = await admin.api('POST', '/users', { email: tried[2], invite: true, message: 'x'.repeat(1001) });
  t.is(long.status, 400);
  t.deepEqual(await db()('users').whereIn('email', tried).select('id'), []);
  const plain = await admin.api('POST', '/users', { email: email('plain'), invite: false });
  t.is(plain.status, 201);
  t.is((await admin.api('GET', `/users/${plain.body.id}/invitation`)).body.state, 'not_invited');
});

// ---------------------------------------------------------------------------
// Nobody deactivates, locks or deletes themself

test('nobody deactivates, locks or deletes themself, singly or in bulk: 409 user.self_change', async (t) => {
  const me = await s.as('admin');
  for (const next of ['inactive', 'locked', 'pending']) {
    const res = await me.api('POST', `/users/${me.id}/status`, { status: next });
    t.is(res.status, 409, next);
    t.is(res.body.error, 'user.self_change');
  }
  const deleted = await me.api('DELETE', `/users/${me.id}`);
  t.is(deleted.status, 409);
  t.like(deleted.body, { error: 'user.self_change', details: { change: 'delete' } });
  const other = await s.server.createUser();
  const bulk = await me.api('POST', '/users/bulk', { ids: [other.id, me.id], set: { status: 'inactive' } });
  t.is(bulk.status, 409);
  t.is(bulk.body.error, 'user.self_change');
  t.is(await status(other.id), 'active', 'the bulk edit is all or nothing');
  t.is(await status(me.id), 'active');

  // What is not a deactivation stays allowed.
  t.is((await me.api('POST', `/users/${me.id}/status`, { status: 'active' })).status, 200);
  t.is((await me.api('POST', '/users/bulk', { ids: [me.id], set: { tags: ['self'] } })).status, 200);
  // Someone else may.
  t.is((await admin.api('POST', `/users/${me.id}/status`, { status: 'inactive' })).status, 200);
});

test('acting as someone (token exchange) counts as oneself too: neither the admin nor the user acted as', async (t) => {
  const superAdmin = await s.server.createUser({ role: 'super_admin' });
  const acted = await s.server.createUser({ role: 'hr' });
  const consoleRp = await relyingParty(
    s.server,
    await s.server.createClient({ grantTypes: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE] }),
  );
  const { tokens } = await consoleRp.signIn({ username: superAdmin.email, password: PASSWORD }, { scope: 'openid' });
  const exchanged = await oidc.genericGrantRequest(consoleRp.config, TOKEN_EXCHANGE, {
    actor_token: tokens.access_token,
    actor_token_type: ACCESS_TOKEN_TYPE,
    subject_token: acted.id,
    subject_token_type: USER_ID_TOKEN_TYPE,
    resource: s.base,
    scope: 'admin',
  });
  const asHr = s.client(exchanged.access_token);
  const other = await s.server.createUser();
  t.is((await asHr('POST', `/users/${other.id}/status`, { status: 'inactive' })).status, 200, 'acting as hr works');
  for (const target of [acted.id, superAdmin.id]) {
    const res = await asHr('POST', `/users/${target}/status`, { status: 'inactive' });
    t.is(res.status, 409, target);
    t.is(res.body.error, 'user.self_change');
  }
  t.is(await status(acted.id), 'active');
  t.is(await status(superAdmin.id), 'active');
});
