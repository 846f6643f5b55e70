import test from 'ava';
import * as oidc from 'openid-client';
import { adminServerPerFile, PASSWORD, signedInPerFile } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';
import { alertText, Browser } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { handClock } from '../helpers/totp.js';

/**
 * Temporary accounts end at `expiresAt`: by the sweep, or at sign-in, whichever comes
 * first. The server's clock is moved by hand (never slept on): the tests that move it
 * are serial, and serial tests run before the others.
 */
const time = handClock();
const s = adminServerPerFile(test, {}, { clock: time.clock });
const admin = signedInPerFile(test, s, 'admin');
const hr = signedInPerFile(test, s, 'hr');
// Signed in before any test moves the clock (a sign-in's interaction lasts by the server's clock).
const manager = signedInPerFile(test, s, 'manager');
/** Back to the real time, after a test that moved the clock. */
const rewind = () => {
  time.clock.current = new Date();
};

const HOUR = 3600;
const db = () => s.server.db;
const at = (seconds: number) => new Date(time.clock.now().getTime() + seconds * 1000).toISOString();
const row = (id: string) => db()('users').select('status', 'expires_at').where({ id }).first();
const sweep = () => s.server.container.expiry.expireDue();
const email = (what: string) => `${what}-${Math.random().toString(36).slice(2)}@example.com`;

test.serial(
  'the sweep makes an account inactive when its end comes: sessions and tokens end, audited by the system',
  async (t) => {
    const to = email('temp');
    const made = await admin.api('POST', '/users', {
      email: to,
      password: PASSWORD,
      status: 'temporary',
      expiresAt: at(HOUR),
    });
    t.is(made.status, 201, JSON.stringify(made.body));
    t.is(made.body.expiresAt, at(HOUR));
    const rp = await relyingParty(s.server, await s.server.createClient());
    const { tokens } = await rp.signIn({ username: to, password: PASSWORD }, { scope: 'openid offline_access' });

    await sweep();
    t.is((await row(made.body.id)).status, 'temporary', 'an end still to come changes nothing');
    t.true((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active);

    time.later(HOUR);
    t.true((await sweep()) >= 1);
    t.is((await row(made.body.id)).status, 'inactive');
    t.false((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active, 'tokens end');
    await t.throwsAsync(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!));
    const event = await auditEvents(s.server, { target_id: made.body.id, action: 'user.expired' }).first();
    t.like(event, { actor_type: 'system', actor_name: 'expiry' });
    t.deepEqual(event.changes, { status: ['temporary', 'inactive'] });
    t.is(event.details.expiresAt, made.body.expiresAt);
    t.is(await sweep(), 0, 'done once');

    // Reactivating needs a later end (or none) first.
    const refused = await hr.api('POST', `/users/${made.body.id}/status`, { status: 'active' });
    t.is(refused.status, 409);
    t.like(refused.body, { error: 'user.expired', details: { expiresAt: made.body.expiresAt } });
    t.is((await hr.api('PATCH', `/users/${made.body.id}`, { expiresAt: null })).status, 200);
    t.is((await hr.api('POST', `/users/${made.body.id}/status`, { status: 'active' })).status, 200);
    rewind();
    t.truthy((await rp.signIn({ username: to, password: PASSWORD })).tokens.id_token);
  },
);

test.serial(
  'at sign-in, an account whose end has come is refused as deactivated and made inactive there',
  async (t) => {
    const user = await s.server.createUser();
    const set = await hr.api('PATCH', `/users/${user.id}`, { expiresAt: at(HOUR) });
    t.is(set.status, 200, JSON.stringify(set.body));
    const rp = await relyingParty(s.server, await s.server.createClient());
    t.truthy((await rp.signIn({ username: user.email, password: PASSWORD })).tokens.id_token);

    time.later(HOUR + 1);
    const browser = new Browser(s.server.url);
    const form = await browser.open((await rp.authorizationUrl()).url.toString());
    const page = await browser.submit(form, { username: user.email, password: PASSWORD }, '/login');
    t.is(page.status, 403);
    t.regex(alertText(page.html) ?? '', /deactivated/);
    t.is((await row(user.id)).status, 'inactive', 'made inactive without waiting for the sweep');
    const failed = await auditEvents(s.server, { target_id: user.id, action: 'signin.failed' }).first();
    t.is(failed.details.reason, 'expired');
    t.like(await auditEvents(s.server, { target_id: user.id, action: 'user.expired' }).first(), {
      actor_type: 'system',
    });

    const wrong = await browser.submit(
      await browser.open((await rp.authorizationUrl()).url.toString()),
      { username: user.email, password: 'wrong-password-000' },
      '/login',
    );
    t.is(wrong.status, 401, 'a wrong password tells nothing of the account');
    rewind();
  },
);

test('expiresAt is read, changed and cleared through PATCH; an hr power, never on oneself', async (t) => {
  const user = await s.server.createUser();
  const end = at(30 * 24 * HOUR);
  const set = await hr.api('PATCH', `/users/${user.id}`, { expiresAt: end });
  t.is(set.body.expiresAt, end);
  t.is((await hr.api('GET', `/users/${user.id}`)).body.user.expiresAt, end);
  const event = await auditEvents(s.server, { target_id: user.id, action: 'user.updated' }).first();
  t.deepEqual(event.changes, { expiresAt: [null, end] });
  t.is((await hr.api('PATCH', `/users/${user.id}`, { expiresAt: null })).body.expiresAt, null);
  t.is((await hr.api('PATCH', `/users/${user.id}`, { expiresAt: 'next week' })).status, 400);

  // A manager of the user's account edits their profile, not how long the account lasts.
  const [account] = await db()('accounts').insert({ name: 'Temps Ltd', kind: 'customer' }).returning('id');
  await db()('role_assignments').insert({ user_id: manager.id, role: 'manager', account_id: account.id });
  await s.server.repos.users.setMainAccount(user.id, account.id, db());
  t.is((await manager.api('PATCH', `/users/${user.id}`, { jobTitle: 'Temp' })).status, 200);
  const byManager = await manager.api('PATCH', `/users/${user.id}`, { expiresAt: end });
  t.is(byManager.status, 403);
  t.is(byManager.body.error, 'admin_api.forbidden');
  const own = await hr.api('PATCH', `/users/${hr.id}`, { expiresAt: end });
  t.is(own.status, 409);
  t.like(own.body, { error: 'user.self_change', details: { change: 'expire' } });
  t.is((await hr.api('PATCH', `/users/${hr.id}`, { jobTitle: 'HR lead' })).status, 200, 'other own fields stay open');
});

test('expiresAt in the export and the import', async (t) => {
  const to = email('imported');
  const csv = `email,status,expiresAt\n${to},temporary,2031-06-30\n`;
  const imported = await admin.api('POST', '/imports?key=email&mode=add&dryRun=false', csv, {
    'content-type': 'text/csv',
  });
  t.is(imported.status, 201, JSON.stringify(imported.body));
  t.like(imported.body, { status: 'succeeded', created: 1, failed: 0 });
  const user = await db()('users').select('id', 'expires_at').where({ email: to }).first();
  t.is(new Date(user.expires_at).toISOString(), '2031-06-30T00:00:00.000Z');

  const update = `email,expiresAt\n${to},2031-07-01T18:00:00+02:00\n${email('nobody')},soon\n`;
  const changed = await admin.api('POST', '/imports?key=email&mode=upsert&dryRun=false', update, {
    'content-type': 'text/csv',
  });
  t.like(changed.body, { updated: 1, failed: 1 });
  const errors = await admin.api('GET', `/imports/${changed.body.id}/errors.csv`);
  t.regex(String(errors.body), /expiresAt,import\.invalid_time/);

  const exported = await admin.api('GET', `/exports/users.csv?columns=email,expiresAt&q=${encodeURIComponent(to)}`);
  t.is(exported.status, 200);
  t.regex(String(exported.body), new RegExp(`${to},2031-07-01T16:00:00.000Z`));
});
