import test from 'ava';
import { adminServerPerFile, type AdminFetch } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';
import { perFile } from '../helpers/per-file.js';
import { SCIM, scimClient, scimToken } from '../helpers/scim.js';

/**
 * The user record's rules reach SCIM: language and time zone, required fields,
 * and custom fields through the Gatehouse extension
 * `urn:gatehouse:params:scim:schemas:extension:custom:2.0:User`.
 */
const CUSTOM = 'urn:gatehouse:params:scim:schemas:extension:custom:2.0:User';
const s = adminServerPerFile(test);
const scim = perFile(test, async () => scimClient(s.server, await scimToken(s.server, 'HR system')));
let superAdmin: AdminFetch;
test.before(async () => {
  superAdmin = (await s.as('super_admin')).api;
  for (const field of [
    { key: 'shoeSize', label: 'Shoe size', type: 'number' },
    { key: 'team', label: 'Team', type: 'option', options: ['Red', 'Blue'] },
  ])
    if ((await superAdmin('POST', '/custom-fields', field)).status !== 201) throw new Error('field not made');
});

let n = 0;
const user = (extra: Record<string, unknown> = {}) => ({
  schemas: [SCIM.user],
  userName: `scim-record-${++n}@example.com`,
  emails: [{ value: `scim-record-${n}@example.com`, primary: true }],
  ...extra,
});

test.serial('custom fields are written, read and patched through the Gatehouse extension', async (t) => {
  const created = await scim.post('/Users', user({ [CUSTOM]: { shoeSize: 44, team: 'Red' } }));
  t.is(created.status, 201, JSON.stringify(created.body));
  t.deepEqual(created.body[CUSTOM], { shoeSize: 44, team: 'Red' });
  t.true((created.body.schemas as string[]).includes(CUSTOM));
  const id = created.body.id as string;

  const patched = await scim.patch(`/Users/${id}`, [
    { op: 'replace', path: `${CUSTOM}:team`, value: 'Blue' },
    { op: 'remove', path: `${CUSTOM}:shoeSize` },
  ]);
  t.is(patched.status, 200, JSON.stringify(patched.body));
  t.deepEqual(patched.body[CUSTOM], { team: 'Blue' });
  const pathless = await scim.patch(`/Users/${id}`, [{ op: 'replace', value: { [CUSTOM]: { shoeSize: 39.5 } } }]);
  t.deepEqual(pathless.body[CUSTOM], { team: 'Blue', shoeSize: 39.5 });

  const admin = await superAdmin('GET', `/users/${id}`);
  t.deepEqual(admin.body.user.customAttributes, { team: 'Blue', shoeSize: 39.5 });

  const kept = await scim.put(`/Users/${id}`, user({ userName: created.body.userName }));
  t.is(kept.status, 200);
  t.deepEqual(kept.body[CUSTOM], { team: 'Blue', shoeSize: 39.5 }, 'a PUT without the extension keeps the values');

  const bad = await scim.patch(`/Users/${id}`, [{ op: 'replace', path: `${CUSTOM}:team`, value: 'Green' }]);
  t.is(bad.status, 400);
  t.like(bad.body, { schemas: [SCIM.error], scimType: 'invalidValue', status: '400' });
  t.regex(bad.body.detail, /Team \(team\) must be one of "Red", "Blue"/);
  const unknown = await scim.post('/Users', user({ [CUSTOM]: { hat: 'big' } }));
  t.is(unknown.status, 400);
  t.regex(unknown.body.detail, /"hat" is not a custom field/);
});

test.serial('language and time zone are validated; SCIM answers 400 invalidValue', async (t) => {
  const ok = await scim.post(
    '/Users',
    user({ preferredLanguage: 'fr-ca', locale: 'en-US', timezone: 'America/Toronto' }),
  );
  t.is(ok.status, 201, JSON.stringify(ok.body));
  t.is(ok.body.preferredLanguage, 'fr-CA');
  for (const extra of [{ preferredLanguage: 'xx-YY' }, { locale: 'zh-CN' }, { timezone: 'Moon/Base' }]) {
    const res = await scim.post('/Users', user(extra));
    t.is(res.status, 400, JSON.stringify(extra));
    t.like(res.body, { scimType: 'invalidValue' });
  }
  const patched = await scim.patch(`/Users/${ok.body.id}`, [{ op: 'replace', path: 'timezone', value: 'UTC+1' }]);
  t.is(patched.status, 400);
});

test.serial('required fields reach SCIM create, replace and patch', async (t) => {
  t.is((await superAdmin('PUT', '/settings', { requiredFields: ['familyName'] })).status, 200);
  t.is((await superAdmin('PATCH', '/custom-fields/team', { required: true })).status, 200);
  try {
    const missing = await scim.post('/Users', user({ [CUSTOM]: { team: 'Red' } }));
    t.is(missing.status, 400);
    t.regex(missing.body.detail, /familyName is required/);
    const noTeam = await scim.post('/Users', user({ name: { familyName: 'Ng' } }));
    t.regex(noTeam.body.detail, /Team \(team\) is required/);
    const made = await scim.post('/Users', user({ name: { familyName: 'Ng' }, [CUSTOM]: { team: 'Red' } }));
    t.is(made.status, 201, JSON.stringify(made.body));
    const removed = await scim.patch(`/Users/${made.body.id}`, [{ op: 'remove', path: 'name.familyName' }]);
    t.is(removed.status, 400);
    t.regex(removed.body.detail, /familyName is required/);
    const replaced = await scim.put(`/Users/${made.body.id}`, user({ userName: made.body.userName }));
    t.is(replaced.status, 400);
  } finally {
    await superAdmin('PUT', '/settings', { requiredFields: [] });
    await superAdmin('PATCH', '/custom-fields/team', { required: false });
  }
});

test('emailVerified: a token made with trustEmails vouches for the emails it sends; another leaves a changed email unverified', async (t) => {
  const made = await superAdmin('POST', '/scim-tokens', { name: 'Workday', trustEmails: true });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.true(made.body.trustEmails);
  const listed = (await superAdmin('GET', '/scim-tokens')).body.items;
  t.deepEqual(
    listed.map((k: { name: string; trustEmails: boolean }) => [k.name, k.trustEmails]),
    [
      ['HR system', false],
      ['Workday', true],
    ],
  );
  const trusted = scimClient(s.server, made.body.token);
  const verified = async (id: string) => (await superAdmin('GET', `/users/${id}`)).body.user.emailVerified;

  const fromHr = await trusted.post('/Users', user());
  t.is(fromHr.status, 201, JSON.stringify(fromHr.body));
  t.true(await verified(fromHr.body.id));
  const [createdEvent] = await auditEvents(s.server, { target_id: fromHr.body.id, action: 'user.created' });
  t.deepEqual(createdEvent?.changes.emailVerified, [null, true]);

  const plain = await scim.post('/Users', user());
  const id = plain.body.id as string;
  t.false(await verified(id), 'a token without trustEmails does not vouch');
  const email = plain.body.emails[0].value as string;
  t.is((await trusted.put(`/Users/${id}`, { ...plain.body, emails: [{ value: email, primary: true }] })).status, 200);
  t.true(await verified(id), 'the trusted system sends the same email: now verified');
  const updated = await auditEvents(s.server, { target_id: id, action: 'user.updated' });
  t.deepEqual(updated.at(-1)?.changes, { emailVerified: [false, true] });

  const upper = email.toUpperCase();
  t.is((await scim.patch(`/Users/${id}`, [{ op: 'replace', path: 'emails', value: [{ value: upper }] }])).status, 200);
  t.true(await verified(id), 'the same email, in another case, keeps its state');
  const moved = [{ value: `moved-${email}`, primary: true }];
  t.is((await scim.patch(`/Users/${id}`, [{ op: 'replace', path: 'emails', value: moved }])).status, 200);
  t.false(await verified(id), 'a changed email from an untrusted token is not verified');
  t.is((await trusted.patch(`/Users/${id}`, [{ op: 'replace', path: 'displayName', value: 'Moved' }])).status, 200);
  t.true(await verified(id), 'any write of the trusted token vouches for the email it leaves');
});
