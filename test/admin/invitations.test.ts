import test from 'ava';
import { auditEvents } from '../helpers/audit.js';
import { Browser } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';

const s = adminServerPerFile(test);
const admin = signedInPerFile(test, s, 'admin');

const NEW_PASSWORD = 'amber-orchard-62-kestrel';
const db = () => s.server.db;
const HOUR = 3_600_000;

/** A new user made through the API without a password, as an admin about to invite them would. */
async function newcomer(): Promise<{ id: string; email: string }> {
  const email = `invitee-${Math.random().toString(36).slice(2)}@example.com`;
  const res = await admin.api('POST', '/users', { email, givenName: 'Ivy' });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return { id: res.body.id, email };
}

/** The links of the invitation mails sent to `email`, the newest first. */
async function invitationLinks(email: string): Promise<string[]> {
  const mails = await s.server.repos.outbox.list(20, email);
  return mails
    .filter((m) => m.subject === 'You are invited to Gatehouse')
    .map((m) => /https?:\/\/\S+reset-password\?token=\S+/.exec(m.text)![0]);
}

async function choosePassword(link: string) {
  const browser = new Browser(s.server.url);
  const form = await browser.open(link);
  if (form.status !== 200) return form;
  return browser.submit(form, { password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
}

test('invite now: a 7-day link is mailed (pending), and setting a password through it confirms the invitation', async (t) => {
  const user = await newcomer();
  t.deepEqual((await admin.api('GET', `/users/${user.id}/invitation`)).body, {
    state: 'not_invited',
    scheduledAt: null,
    sentAt: null,
    confirmedAt: null,
  });

  const sent = await admin.api('POST', `/users/${user.id}/invitation`, {});
  t.is(sent.status, 200, JSON.stringify(sent.body));
  t.is(sent.body.state, 'pending');
  t.truthy(sent.body.sentAt);
  const [link] = await invitationLinks(user.email);
  t.truthy(link);
  const token = await db()('password_reset_tokens').where({ user_id: user.id }).first();
  const days = (new Date(token.expires_at).getTime() - Date.now()) / (24 * HOUR);
  t.true(days > 6.9 && days <= 7, `the link lasts 7 days (${days})`);
  t.is((await admin.api('GET', `/users/${user.id}/invitation`)).body.state, 'pending');

  const done = await choosePassword(link!);
  t.is(done.status, 200);
  t.regex(done.html, /Password changed/);
  const after = (await admin.api('GET', `/users/${user.id}/invitation`)).body;
  t.is(after.state, 'confirmed');
  t.truthy(after.confirmedAt);
  t.is(after.sentAt, sent.body.sentAt);
  t.truthy(await auditEvents(s.server, { target_id: user.id, action: 'user.invitation_confirmed' }).first());
  t.truthy(await auditEvents(s.server, { target_id: user.id, action: 'user.invited', actor_id: admin.id }).first());
  // The password chosen works.
  const rp = await relyingParty(s.server, await s.server.createClient());
  const { tokens } = await rp.signIn({ username: user.email, password: NEW_PASSWORD });
  t.truthy(tokens.id_token);
});

test('sending again mails a new link and voids the old one', async (t) => {
  const user = await newcomer();
  await admin.api('POST', `/users/${user.id}/invitation`, {});
  const again = await admin.api('POST', `/users/${user.id}/invitation`, {
    at: new Date(Date.now() - HOUR).toISOString(),
  });
  t.is(again.status, 200);
  t.is(again.body.state, 'pending', 'a time in the past sends now');
  const [newest, oldest] = await invitationLinks(user.email);
  t.truthy(oldest);
  t.not(newest, oldest);
  t.is((await choosePassword(oldest!)).status, 400, 'the old link is void');
  t.is((await admin.api('GET', `/users/${user.id}/invitation`)).body.state, 'pending');
  t.is((await choosePassword(newest!)).status, 200);
  t.is((await admin.api('GET', `/users/${user.id}/invitation`)).body.state, 'confirmed');
});

test('a user who signs in after the invitation was sent has confirmed it', async (t) => {
  const user = await s.server.createUser(); // has a password already
  t.is((await admin.api('POST', `/users/${user.id}/invitation`, {})).body.state, 'pending');
  await s.tokenOf(user);
  const res = (await admin.api('GET', `/users/${user.id}/invitation`)).body;
  t.is(res.state, 'confirmed');
  t.true(new Date(res.confirmedAt).getTime() >= new Date(res.sentAt).getTime());
});

test.serial('a scheduled invitation waits for the scheduler, which sends it when due', async (t) => {
  const user = await newcomer();
  const at = new Date(Date.now() + 2 * HOUR);
  const res = await admin.api('POST', `/users/${user.id}/invitation`, { at: at.toISOString() });
  t.is(res.status, 200, JSON.stringify(res.body));
  t.deepEqual(res.body, { state: 'scheduled', scheduledAt: at.toISOString(), sentAt: null, confirmedAt: null });
  t.deepEqual(await invitationLinks(user.email), [], 'nothing sent yet');

  const invitations = s.server.container.admin.invitations;
  t.is(await invitations.sendDue(new Date(Date.now() + HOUR)), 0, 'not due yet');
  t.is((await admin.api('GET', `/users/${user.id}/invitation`)).body.state, 'scheduled');
  const later = new Date(Date.now() + 3 * HOUR);
  t.is(await invitations.sendDue(later), 1);
  t.is(await invitations.sendDue(later), 0, 'sent once');
  const sent = (await admin.api('GET', `/users/${user.id}/invitation`)).body;
  t.deepEqual(sent, {
    state: 'pending',
    scheduledAt: at.toISOString(),
    sentAt: later.toISOString(),
    confirmedAt: null,
  });
  const [link] = await invitationLinks(user.email);
  t.truthy(link);
  t.is((await choosePassword(link!)).status, 200);
  t.is((await admin.api('GET', `/users/${user.id}/invitation`)).body.state, 'confirmed');
});

test.serial('a scheduled invitation can be cancelled; nothing else can', async (t) => {
  const user = await newcomer();
  await admin.api('POST', `/users/${user.id}/invitation`, { at: new Date(Date.now() + HOUR).toISOString() });
  t.is((await admin.api('DELETE', `/users/${user.id}/invitation`)).status, 204);
  t.is((await admin.api('GET', `/users/${user.id}/invitation`)).body.state, 'not_invited');
  await s.server.container.admin.invitations.sendDue(new Date(Date.now() + 5 * HOUR));
  t.deepEqual(await invitationLinks(user.email), [], 'a cancelled invitation is never sent');
  const none = await admin.api('DELETE', `/users/${user.id}/invitation`);
  t.is(none.status, 409);
  t.is(none.body.error, 'invitation.not_scheduled');
  await admin.api('POST', `/users/${user.id}/invitation`, {});
  t.is((await admin.api('DELETE', `/users/${user.id}/invitation`)).status, 409, 'a sent invitation is not cancelled');
});

test('refusals: no email (409), not allowed (403), out of reach (404), bad input (400)', async (t) => {
  const mailless = await admin.api('POST', '/users', { email: null, givenName: 'Nomail' });
  const res = await admin.api('POST', `/users/${mailless.body.id}/invitation`, {});
  t.is(res.status, 409);
  t.is(res.body.error, 'user.no_email');
  const user = await newcomer();
  const individual = await s.as('individual');
  t.is((await individual.api('POST', `/users/${user.id}/invitation`, {})).status, 403);
  const hr = await s.as('hr');
  t.is((await hr.api('POST', `/users/${user.id}/invitation`, {})).status, 200, 'hr may invite');
  const top = await s.server.createUser({ role: 'super_admin' });
  t.is((await admin.api('POST', `/users/${top.id}/invitation`, {})).body.error, 'admin_api.forbidden_target');
  t.is((await admin.api('GET', '/users/00000000-0000-4000-8000-000000000999/invitation')).status, 404);
  t.is((await admin.api('POST', `/users/${user.id}/invitation`, { at: 'tomorrow' })).status, 400);
  const off = await newcomer();
  await admin.api('POST', `/users/${off.id}/status`, { status: 'inactive' });
  const inactive = await admin.api('POST', `/users/${off.id}/invitation`, {});
  t.is(inactive.status, 409, 'an inactive user is reactivated before being invited');
  t.is(inactive.body.error, 'user.not_invitable');
});

test('a pending user who completes the invitation becomes active and signs in', async (t) => {
  const email = `pending-${Math.random().toString(36).slice(2)}@example.com`;
  const made = await admin.api('POST', '/users', { email, givenName: 'Pia', status: 'pending' });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.is((await admin.api('POST', `/users/${made.body.id}/invitation`, {})).status, 200);
  const [link] = await invitationLinks(email);
  t.is((await choosePassword(link!)).status, 200);
  t.is((await admin.api('GET', `/users/${made.body.id}`)).body.user.status, 'active');
  const change = await auditEvents(s.server, { target_id: made.body.id, action: 'user.status_changed' }).first();
  t.deepEqual(change.changes, { status: ['pending', 'active'] });
  const rp = await relyingParty(s.server, await s.server.createClient());
  t.truthy((await rp.signIn({ username: email, password: NEW_PASSWORD })).tokens.id_token);
});
