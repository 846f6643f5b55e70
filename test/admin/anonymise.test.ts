import test from 'ava';
import { PROFILE_FIELDS } from '../../src/domain/user.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';

const s = adminServerPerFile(test);
const admin = signedInPerFile(test, s, 'admin');

const db = () => s.server.db;
const count = async (table: string, where: Record<string, unknown>) =>
  Number((await db()(table).where(where).count('* as n').first())!.n);
const snake = (f: string) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

test('anonymise clears every personal field and trace, keeps one event without personal data, and cannot be repeated', async (t) => {
  const c = s.server.container;
  const user = await s.server.createUser({ givenName: 'Greta', familyName: 'Garbo' });
  const patched = await admin.api('PATCH', `/users/${user.id}`, {
    title: 'Ms',
    middleName: 'Lovisa',
    externalId: 'HR-GG',
    jobTitle: 'Actor',
    department: 'Film',
    employeeNumber: 'E-1',
    timezone: 'Europe/Stockholm',
    tags: ['vip'],
    customAttributes: { shoeSize: 39 },
  });
  t.is(patched.status, 200, JSON.stringify(patched.body));
  await db()('user_values').insert({
    user_id: user.id,
    attribute: 'emails',
    position: 1,
    value: 'greta.private@example.org',
    type: 'home',
  });
  await db()('user_values').insert({
    user_id: user.id,
    attribute: 'addresses',
    position: 0,
    street_address: '1 Hollywood Blvd',
    country: 'US',
  });
  t.is((await admin.api('POST', `/users/${user.id}/password`, { sendLink: true })).status, 204); // a reset token and a mail
  await c.mailer.send({
    to: 'GRETA.PRIVATE@example.org',
    subject: 'Hello Greta',
    text: 'Your private note',
    html: '<p>Your private note</p>',
  });
  await c.mailer.send({
    to: 'someone.else@example.com',
    subject: 'Not about Greta',
    text: 'stays',
    html: '<p>stays</p>',
  });
  await s.tokenOf(user); // a session, a grant, tokens (before a second factor exists)
  await db()('totp_factors').insert({ user_id: user.id, secret_sealed: 'sealed', confirmed_at: new Date() });
  await db()('recovery_codes').insert({ user_id: user.id, code_hash: 'hash' });
  await db()('webauthn_credentials').insert({
    user_id: user.id,
    credential_id: `cred-${user.id}`,
    public_key: Buffer.from('key'),
    name: "Greta's key",
  });
  await c.audit.record({
    actor: { type: 'user', id: user.id, name: user.email },
    action: 'test.greta_did',
    targetType: 'group',
    targetId: 'some-group',
  });
  t.true((await count('oidc_payloads', { account_id: user.id })) > 0);
  t.true((await count('password_history', { user_id: user.id })) > 0);

  const res = await admin.api('POST', `/users/${user.id}/anonymise`);
  t.is(res.status, 200, JSON.stringify(res.body));
  t.is(res.body.email, null);
  t.regex(res.body.userCode, /^anon-[0-9a-f]{16}$/);
  t.is(res.body.status, 'inactive');
  for (const f of PROFILE_FIELDS) t.is(res.body[f], null, f);

  const row = await db()('users').where({ id: user.id }).first();
  for (const column of ['email', 'external_id', 'password_hash', 'password_changed_at', ...PROFILE_FIELDS.map(snake)])
    t.is(row[column], null, column);
  t.deepEqual(row.tags, []);
  t.deepEqual(row.custom_attributes, {});
  t.truthy(row.anonymised_at);
  for (const table of [
    'user_values',
    'password_history',
    'password_reset_tokens',
    'totp_factors',
    'recovery_codes',
    'webauthn_credentials',
  ]) {
    t.is(await count(table, { user_id: user.id }), 0, table);
  }
  t.is(await count('oidc_payloads', { account_id: user.id }), 0, 'sessions, grants and tokens ended');

  const events = await auditEvents(s.server, { target_id: user.id });
  t.deepEqual(
    events.map((e) => e.action),
    ['user.anonymised'],
    "the user's audit entries are removed; one event stays",
  );
  const kept = JSON.stringify(events[0]);
  for (const personal of [user.email, 'Greta', 'Garbo', user.userCode, 'HR-GG'])
    t.false(kept.includes(personal), `no ${personal} in ${kept}`);
  t.is(events[0].actor_id, admin.id);
  const acted = await auditEvents(s.server, { actor_id: user.id, action: 'test.greta_did' }).first();
  t.is(acted.actor_name, null, 'where the user was the actor, their name is blanked');

  t.is(
    await db()('mail_outbox')
      .whereRaw('lower("to") in (?, ?)', [user.email.toLowerCase(), 'greta.private@example.org'])
      .first(),
    undefined,
  );
  t.true(
    (await db()('mail_outbox').where({ to: '', subject: '', text: '' }).whereNull('html')).length >= 2,
    'mails to any of their addresses are blanked, their HTML part too',
  );
  t.truthy(await db()('mail_outbox').where({ to: 'someone.else@example.com', text: 'stays' }).first());

  const again = await admin.api('POST', `/users/${user.id}/anonymise`);
  t.is(again.status, 409);
  t.is(again.body.error, 'user.already_anonymised');
});

test('an inactive or deleted user keeps their status', async (t) => {
  const inactive = await s.server.createUser({ status: 'inactive' });
  t.is((await admin.api('POST', `/users/${inactive.id}/anonymise`)).body.status, 'inactive');
  const deleted = await s.server.createUser();
  t.is((await admin.api('DELETE', `/users/${deleted.id}`)).body.status, 'deleted');
  const res = await admin.api('POST', `/users/${deleted.id}/anonymise`);
  t.is(res.status, 200, JSON.stringify(res.body));
  t.is(res.body.status, 'deleted');
  t.is((await db()('users').where({ id: deleted.id }).first()).email, null);
});

test('refusals: an hr user may not anonymise; an admin may not anonymise a super admin, nor themself', async (t) => {
  const hr = await s.as('hr');
  const target = await s.server.createUser();
  const byHr = await hr.api('POST', `/users/${target.id}/anonymise`);
  t.is(byHr.status, 403);
  t.is(byHr.body.error, 'admin_api.forbidden');

  const top = await s.server.createUser({ role: 'super_admin' });
  const res = await admin.api('POST', `/users/${top.id}/anonymise`);
  t.is(res.status, 403);
  t.is(res.body.error, 'admin_api.forbidden_target');
  t.is((await admin.api('POST', `/users/${admin.id}/anonymise`)).body.error, 'anonymise.self');
  t.is((await admin.api('POST', '/users/00000000-0000-4000-8000-000000000999/anonymise')).status, 404);

  for (const id of [target.id, top.id, admin.id]) t.truthy((await db()('users').where({ id }).first()).email);
});
