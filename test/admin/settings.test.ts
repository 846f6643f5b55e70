import test from 'ava';
import { auditEvents } from '../helpers/audit.js';
import { Browser } from '../helpers/browser.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import { relyingParty } from '../helpers/rp.js';
import { DEFAULT_BRANDING } from '../../src/domain/settings.js';

/** The settings are the whole server's: every test here runs alone, and puts back what it changed. */
const s = adminServerPerFile(test, { PASSWORD_MIN_LENGTH: '12', LOCKOUT_MAX_ATTEMPTS: '5', LOCKOUT_MINUTES: '15' });
const superAdmin = signedInPerFile(test, s, 'super_admin');
let signIn: (username: string, password: string) => Promise<number>;

test.before(async () => {
  const rp = await relyingParty(s.server, await s.server.createClient());
  signIn = async (username, password) => {
    const browser = new Browser(s.server.url);
    const form = await browser.open((await rp.authorizationUrl()).url.toString());
    return (await browser.submit(form, { username, password }, '/login')).status;
  };
});

const settingsAudit = async () =>
  (await auditEvents(s.server, { action: 'settings.changed' }).orderBy('id', 'desc'))[0];

test.serial('a super admin reads the settings; nobody else may', async (t) => {
  const read = await superAdmin.api('GET', '/settings');
  t.is(read.status, 200);
  t.deepEqual(read.body, {
    passwordPolicy: { minLength: 12, maxLength: 128, requireClasses: [], history: 5 },
    lockout: { maxAttempts: 5, minutes: 15 },
    mfa: { requiredRoles: [], maxAttempts: 5 },
    impersonationTtl: 3600,
    duplicateEmails: false,
    auditRetentionDays: null,
    defaultLanguage: 'en',
    selfRegistration: { enabled: false, approval: 'required', allowedDomains: [] },
    requiredFields: [],
    // Gatehouse's own name, no logo, colour or links.
    branding: DEFAULT_BRANDING,
  });
  for (const role of ['admin', 'hr'] as const) {
    const { api } = await s.as(role);
    const refused = await api('GET', '/settings');
    t.is(refused.status, 403);
    t.is(refused.body.error, 'admin_api.forbidden');
    t.is((await api('PUT', '/settings', { impersonationTtl: 600 })).status, 403);
  }
});

test.serial('out-of-bounds values are refused (400) and change nothing', async (t) => {
  const bodies: unknown[] = [
    { passwordPolicy: { minLength: 4 } },
    { passwordPolicy: { maxLength: 64 } },
    { passwordPolicy: { history: -1 } },
    { passwordPolicy: { requireClasses: ['emoji'] } },
    { lockout: { maxAttempts: 0 } },
    { lockout: { minutes: -1 } },
    { mfa: { requiredRoles: ['boss'] } },
    { impersonationTtl: 59 },
    { duplicateEmails: 'yes' },
    { auditRetentionDays: 0 },
    { auditRetentionDays: 1.5 },
    { defaultLanguage: 'it' },
    { somethingElse: true },
    { lockout: { maxAttempts: 3, extra: 1 } },
  ];
  for (const body of bodies) {
    const bad = await superAdmin.api('PUT', '/settings', body);
    t.is(bad.status, 400, JSON.stringify(body));
    t.is(bad.body.error, 'request.invalid_body', JSON.stringify(body));
  }
  const contradiction = await superAdmin.api('PUT', '/settings', { passwordPolicy: { minLength: 200 } });
  t.is(contradiction.status, 400);
  t.is(contradiction.body.error, 'settings.invalid');
  t.is((await superAdmin.api('GET', '/settings')).body.passwordPolicy.minLength, 12);
});

test.serial(
  'a longer minimum password length applies at once: a password accepted before is refused; audited with old and new',
  async (t) => {
    const admin = await s.as('admin');
    const user = await s.server.createUser();
    t.is((await admin.api('POST', `/users/${user.id}/password`, { password: 'quartz-meadow-81' })).status, 204);

    const put = await superAdmin.api('PUT', '/settings', { passwordPolicy: { minLength: 20 } });
    t.is(put.status, 200, JSON.stringify(put.body));
    t.deepEqual(
      put.body.passwordPolicy,
      { minLength: 20, maxLength: 128, requireClasses: [], history: 5 },
      'the other members stay',
    );
    const refused = await admin.api('POST', `/users/${user.id}/password`, { password: 'copper-lantern-27' });
    t.is(refused.status, 400);
    t.is(refused.body.error, 'password.too_short');
    t.is(
      (await admin.api('POST', `/users/${user.id}/password`, { password: 'copper-lantern-27-harbour' })).status,
      204,
    );

    const event = await settingsAudit();
    t.deepEqual(event.changes, {
      passwordPolicy: [
        { minLength: 12, maxLength: 128, requireClasses: [], history: 5 },
        { minLength: 20, maxLength: 128, requireClasses: [], history: 5 },
      ],
    });
    t.is(event.actor_id, superAdmin.id);
    const viaApi = await admin.api('GET', '/audit?action=settings.changed&limit=1');
    t.deepEqual(viaApi.body.items[0].changes.passwordPolicy[1].minLength, 20);

    t.is((await superAdmin.api('PUT', '/settings', { passwordPolicy: { minLength: 12 } })).status, 200);
    t.is((await admin.api('POST', `/users/${user.id}/password`, { password: 'amber-fjord-64-x' })).status, 204);
  },
);

test.serial('fewer allowed failed sign-ins apply at once', async (t) => {
  const put = await superAdmin.api('PUT', '/settings', { lockout: { maxAttempts: 2 } });
  t.is(put.status, 200);
  t.deepEqual(put.body.lockout, { maxAttempts: 2, minutes: 15 });
  const user = await s.server.createUser();
  t.is(await signIn(user.email, 'wrong-password-000'), 401);
  t.is((await s.server.db('users').where({ id: user.id }).first()).status, 'active');
  t.is(await signIn(user.email, 'wrong-password-000'), 401);
  t.is((await s.server.db('users').where({ id: user.id }).first()).status, 'locked', 'locked at the second failure');
  t.deepEqual((await settingsAudit()).changes, {
    lockout: [
      { maxAttempts: 5, minutes: 15 },
      { maxAttempts: 2, minutes: 15 },
    ],
  });
  t.is((await superAdmin.api('PUT', '/settings', { lockout: { maxAttempts: 5 } })).status, 200);
});

test.serial(
  'duplicate emails: allowed, two users share one; turning it off again needs them unique (409)',
  async (t) => {
    const admin = await s.as('admin');
    const email = `shared-${Date.now()}@example.com`;
    t.is((await admin.api('POST', '/users', { email })).status, 201);
    const refused = await admin.api('POST', '/users', { email });
    t.is(refused.status, 409);
    t.is(refused.body.error, 'user.email_taken');

    t.is((await superAdmin.api('PUT', '/settings', { duplicateEmails: true })).status, 200);
    const second = await admin.api('POST', '/users', { email: email.toUpperCase() });
    t.is(second.status, 201, JSON.stringify(second.body));

    const off = await superAdmin.api('PUT', '/settings', { duplicateEmails: false });
    t.is(off.status, 409);
    t.is(off.body.error, 'settings.duplicate_emails_exist');
    t.true((await superAdmin.api('GET', '/settings')).body.duplicateEmails, 'still on');

    t.is((await admin.api('DELETE', `/users/${second.body.id}`)).status, 200);
    const offAgain = await superAdmin.api('PUT', '/settings', { duplicateEmails: false });
    t.is(offAgain.status, 200);
    t.false(offAgain.body.duplicateEmails);
    t.is((await admin.api('POST', '/users', { email })).status, 409);
    t.deepEqual((await settingsAudit()).changes, { duplicateEmails: [true, false] });
  },
);

test.serial(
  'the other fields: MFA roles, impersonation time, audit retention; a PUT that changes nothing is not audited',
  async (t) => {
    const put = await superAdmin.api('PUT', '/settings', {
      mfa: { requiredRoles: ['super_admin'] },
      impersonationTtl: 900,
      auditRetentionDays: 365,
    });
    t.is(put.status, 200);
    t.like(put.body, {
      mfa: { requiredRoles: ['super_admin'], maxAttempts: 5 },
      impersonationTtl: 900,
      auditRetentionDays: 365,
    });
    t.is(s.server.container.settings.current().impersonationTtl, 900);
    const event = await settingsAudit();
    t.deepEqual(Object.keys(event.changes).sort(), ['auditRetentionDays', 'impersonationTtl', 'mfa']);
    t.deepEqual(event.changes.auditRetentionDays, [null, 365]);
    t.is((await superAdmin.api('PUT', '/settings', { impersonationTtl: 900 })).status, 200);
    t.is((await settingsAudit()).id, event.id);
    t.is(
      (
        await superAdmin.api('PUT', '/settings', {
          mfa: { requiredRoles: [] },
          impersonationTtl: 3600,
          auditRetentionDays: null,
        })
      ).status,
      200,
    );
  },
);
