import test from 'ava';
import { parse } from 'csv-parse/sync';
import { adminServerPerFile, PASSWORD, type AdminFetch } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';
import { Browser } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';

/**
 * The whole user record over the admin API: phones and addresses, custom fields
 * (defined by a super admin, validated, filtered, exported), required fields,
 * language and time zone, and the last sign-ins on the record.
 */

const s = adminServerPerFile(test);
let admin: AdminFetch;
let superAdmin: AdminFetch;
test.before(async () => {
  admin = (await s.as('admin')).api;
  superAdmin = (await s.as('super_admin')).api;
});

const unique = () => Math.random().toString(36).slice(2, 10);

test.serial('a super admin defines custom fields; others read them; values are validated by type', async (t) => {
  const made = await superAdmin('POST', '/custom-fields', {
    key: 'shoeSize',
    label: 'Shoe size',
    type: 'number',
  });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.like(made.body, { key: 'shoeSize', type: 'number', options: [], required: false, claim: false, position: 0 });
  t.is(made.headers.get('location'), `${s.base}/custom-fields/shoeSize`);
  t.is(
    (
      await superAdmin('POST', '/custom-fields', {
        key: 'team',
        label: 'Team',
        type: 'option',
        options: ['Red', 'Blue'],
      })
    ).status,
    201,
  );
  t.is((await superAdmin('POST', '/custom-fields', { key: 'startDate', label: 'Start', type: 'date' })).status, 201);
  t.is((await superAdmin('POST', '/custom-fields', { key: 'remote', label: 'Remote', type: 'boolean' })).status, 201);

  t.is((await admin('POST', '/custom-fields', { key: 'nope', label: 'No', type: 'text' })).status, 403);
  const dup = await superAdmin('POST', '/custom-fields', { key: 'SHOESIZE', label: 'Again', type: 'text' });
  t.is(dup.status, 409);
  t.is(dup.body.error, 'custom_field.exists');
  const reserved = await superAdmin('POST', '/custom-fields', { key: 'email', label: 'Mail', type: 'text' });
  t.is(reserved.body.error, 'custom_field.reserved_key');
  const noOptions = await superAdmin('POST', '/custom-fields', { key: 'level', label: 'Level', type: 'option' });
  t.is(noOptions.body.error, 'custom_field.invalid_options');
  t.is((await superAdmin('POST', '/custom-fields', { key: '1bad', label: 'Bad', type: 'text' })).status, 400);

  const listed = await admin('GET', '/custom-fields');
  t.is(listed.status, 200);
  t.deepEqual(
    listed.body.items.map((f: { key: string }) => f.key),
    ['shoeSize', 'team', 'startDate', 'remote'],
  );

  const good = await admin('POST', '/users', {
    email: `cf-${unique()}@example.com`,
    customAttributes: { shoeSize: 42, team: 'Red', startDate: '2026-02-28', remote: true, legacy: 'kept' },
  });
  t.is(good.status, 201, JSON.stringify(good.body));
  t.deepEqual(good.body.customAttributes, {
    shoeSize: 42,
    team: 'Red',
    startDate: '2026-02-28',
    remote: true,
    legacy: 'kept',
  });
  for (const [key, value] of [
    ['shoeSize', '42'],
    ['team', 'Green'],
    ['startDate', '2026-02-30'],
    ['remote', 'yes'],
  ] as const) {
    const bad = await admin('POST', '/users', { customAttributes: { [key]: value } });
    t.is(bad.status, 400, key);
    t.is(bad.body.error, 'user.invalid_custom_field');
    t.deepEqual(bad.body.details, { field: `customAttributes.${key}` });
  }
  const patched = await admin('PATCH', `/users/${good.body.id}`, { customAttributes: { team: 'Purple' } });
  t.is(patched.body.error, 'user.invalid_custom_field');

  const changed = await superAdmin('PATCH', '/custom-fields/team', {
    options: ['Red', 'Blue', 'Purple'],
    label: 'Squad',
  });
  t.is(changed.status, 200);
  t.is((await admin('PATCH', `/users/${good.body.id}`, { customAttributes: { team: 'Purple' } })).status, 200);
  const events = await auditEvents(s.server, { target_type: 'custom_field', target_id: 'team' }).orderBy('id');
  t.deepEqual(
    events.map((e) => e.action),
    ['custom_field.created', 'custom_field.updated'],
  );
  t.deepEqual(events[1].changes.label, ['Team', 'Squad']);
});

test.serial('users are filtered by custom fields: cf.<key>=value, ranges for numbers and dates', async (t) => {
  const tag = unique();
  const make = async (customAttributes: Record<string, unknown>) =>
    (
      await admin('POST', '/users', {
        email: `${unique()}@example.com`,
        tags: [tag],
        familyName: tag,
        customAttributes,
      })
    ).body.id as string;
  const small = await make({ shoeSize: 38, team: 'Blue', startDate: '2025-01-15' });
  const big = await make({ shoeSize: 46, team: 'Red', startDate: '2026-06-01', remote: false });
  const mid = await make({ shoeSize: 42.5, team: 'Blue', remote: true });
  const ids = async (query: string) => {
    const res = await admin('GET', `/users?q=${tag}&sort=createdAt&${query}`);
    t.is(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
    return res.body.items.map((u: { id: string }) => u.id);
  };
  t.deepEqual(await ids('cf.team=blue'), [small, mid], 'an option matches in any case');
  t.deepEqual(await ids('cf.team=Red&cf.team=Blue'), [small, big, mid], 'repeated: any of them');
  t.deepEqual(await ids('cf.shoeSize=46'), [big]);
  t.deepEqual(await ids('cf.shoeSize.from=40&cf.shoeSize.to=46'), [mid]);
  t.deepEqual(await ids('cf.startDate.from=2026-01-01'), [big]);
  t.deepEqual(await ids('cf.remote=false'), [big]);
  t.deepEqual(await ids('cf.remote=true&cf.team=Blue'), [mid]);

  const unknown = await admin('GET', '/users?cf.hat=3');
  t.is(unknown.status, 400);
  t.is(unknown.body.error, 'user.unknown_custom_field');
  t.is((await admin('GET', '/users?cf.shoeSize=big')).body.error, 'user.invalid_custom_field');
  t.is((await admin('GET', '/users?cf.team.from=a')).body.error, 'user.unknown_custom_field');
  t.is((await admin('GET', '/users?cf.=a')).status, 400);

  const csv = await admin(
    'GET',
    `/exports/users.csv?q=${tag}&cf.team=blue&sort=createdAt&columns=id,cf.shoeSize,cf.team,cf.remote`,
  );
  t.is(csv.status, 200, String(csv.body));
  t.deepEqual(parse(csv.body as string, { bom: true, columns: true }), [
    { id: small, 'cf.shoeSize': '38', 'cf.team': 'Blue', 'cf.remote': '' },
    { id: mid, 'cf.shoeSize': '42.5', 'cf.team': 'Blue', 'cf.remote': 'true' },
  ]);
  t.is((await admin('GET', '/exports/users.csv?columns=id,cf.hat')).body.error, 'user.unknown_custom_field');
});

test('phones and addresses are written and read through the admin API, and exported', async (t) => {
  const email = `phones-${unique()}@example.com`;
  const made = await admin('POST', '/users', {
    email,
    phoneNumbers: [
      { value: '+49 30 1234567', type: 'work', primary: true },
      { value: '+49 170 7654321', type: 'mobile' },
    ],
    addresses: [
      { type: 'work', streetAddress: 'Unter den Linden 1', locality: 'Berlin', postalCode: '10117', country: 'DE' },
    ],
  });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.deepEqual(made.body.phoneNumbers, [
    { value: '+49 30 1234567', type: 'work', display: null, primary: true },
    { value: '+49 170 7654321', type: 'mobile', display: null, primary: false },
  ]);
  const id = made.body.id;
  const read = await admin('GET', `/users/${id}`);
  t.deepEqual(read.body.user.phoneNumbers, made.body.phoneNumbers);
  t.like(read.body.user.addresses[0], { streetAddress: 'Unter den Linden 1', locality: 'Berlin', country: 'DE' });
  const listed = await admin('GET', `/users?q=${encodeURIComponent(email)}`);
  t.deepEqual(listed.body.items[0].phoneNumbers, made.body.phoneNumbers);

  const patched = await admin('PATCH', `/users/${id}`, { phoneNumbers: [{ value: '+33 1 2345 6789', type: 'home' }] });
  t.is(patched.status, 200, JSON.stringify(patched.body));
  t.deepEqual(
    patched.body.phoneNumbers.map((p: { value: string }) => p.value),
    ['+33 1 2345 6789'],
  );
  t.is(patched.body.addresses.length, 1, 'a list not given stays');
  const event = (await auditEvents(s.server, { target_id: id, action: 'user.updated' }))[0];
  t.deepEqual(Object.keys(event.changes), ['phoneNumbers']);

  const twoPrimaries = await admin('PATCH', `/users/${id}`, {
    phoneNumbers: [
      { value: '1', primary: true },
      { value: '2', primary: true },
    ],
  });
  t.is(twoPrimaries.status, 400);
  t.is((await admin('PATCH', `/users/${id}`, { addresses: [{ type: 'home' }] })).status, 400);

  const csv = await admin(
    'GET',
    `/exports/users.csv?q=${encodeURIComponent(email)}&columns=email,phoneNumbers,streetAddress,locality,country`,
  );
  t.deepEqual(parse(csv.body as string, { bom: true, columns: true }), [
    {
      email,
      phoneNumbers: 'home:+33 1 2345 6789',
      streetAddress: 'Unter den Linden 1',
      locality: 'Berlin',
      country: 'DE',
    },
  ]);
});

test('language and time zone are validated and stored in canonical form', async (t) => {
  const made = await admin('POST', '/users', {
    preferredLanguage: 'en_gb',
    locale: 'de-ch',
    timezone: 'europe/berlin',
  });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.like(made.body, { preferredLanguage: 'en-GB', locale: 'de-CH', timezone: 'Europe/Berlin' });
  const lang = await admin('POST', '/users', { preferredLanguage: 'klingon' });
  t.is(lang.status, 400);
  t.is(lang.body.error, 'user.invalid_language');
  t.deepEqual(lang.body.details, { field: 'preferredLanguage' });
  t.is((await admin('POST', '/users', { locale: 'ja-JP' })).body.error, 'user.invalid_language', 'not supported');
  const zone = await admin('PATCH', `/users/${made.body.id}`, { timezone: 'Mars/Olympus' });
  t.is(zone.status, 400);
  t.is(zone.body.error, 'user.invalid_timezone');
  t.is((await admin('PATCH', `/users/${made.body.id}`, { timezone: '+01:00' })).body.error, 'user.invalid_timezone');
  t.is((await admin('PATCH', '/me', { timezone: 'Nowhere/Land' })).body.error, 'user.invalid_timezone');
  t.is((await admin('PATCH', `/users/${made.body.id}`, { timezone: null, preferredLanguage: 'fr' })).status, 200);
});

test.serial('required fields: a super admin marks them; every admin write refuses a user without them', async (t) => {
  const set = await superAdmin('PUT', '/settings', { requiredFields: ['email', 'familyName', 'mainAccount'] });
  t.is(set.status, 200, JSON.stringify(set.body));
  t.deepEqual(set.body.requiredFields, ['email', 'familyName', 'mainAccount']);
  t.is((await superAdmin('PUT', '/settings', { requiredFields: ['shoe'] })).status, 400);
  try {
    const empty = await admin('POST', '/users', {});
    t.is(empty.status, 400);
    t.is(empty.body.error, 'user.field_required');
    t.deepEqual(empty.body.details, { field: 'email' });
    const noAccount = await admin('POST', '/users', { email: `${unique()}@example.com`, familyName: 'Kay' });
    t.deepEqual(noAccount.body.details, { field: 'mainAccount' });
    const account = await admin('POST', '/accounts', { name: `Acme ${unique()}`, kind: 'customer' });
    t.is(account.status, 201, JSON.stringify(account.body));
    const ok = await admin('POST', '/users', {
      email: `${unique()}@example.com`,
      familyName: 'Kay',
      mainAccountId: account.body.id,
    });
    t.is(ok.status, 201, JSON.stringify(ok.body));
    const cleared = await admin('PATCH', `/users/${ok.body.id}`, { familyName: '  ' });
    t.is(cleared.status, 400);
    t.deepEqual(cleared.body.details, { field: 'familyName' });

    t.is((await superAdmin('PATCH', '/custom-fields/startDate', { required: true })).status, 200);
    const noStart = await admin('PATCH', `/users/${ok.body.id}`, { givenName: 'Alan' });
    t.is(noStart.body.error, 'user.field_required');
    t.deepEqual(noStart.body.details, { field: 'customAttributes.startDate' });
    t.is((await admin('PATCH', `/users/${ok.body.id}`, { customAttributes: { startDate: '2026-12-01' } })).status, 200);
  } finally {
    await superAdmin('PUT', '/settings', { requiredFields: [] });
    await superAdmin('PATCH', '/custom-fields/startDate', { required: false });
  }
});

test.serial('removing a custom field removes every value of it', async (t) => {
  t.is((await superAdmin('POST', '/custom-fields', { key: 'badge', label: 'Badge', type: 'text' })).status, 201);
  const user = await admin('POST', '/users', { customAttributes: { badge: 'B-7', other: 1 } });
  t.is((await superAdmin('DELETE', '/custom-fields/badge')).status, 204);
  t.is((await superAdmin('GET', '/custom-fields/badge')).status, 404);
  t.deepEqual((await admin('GET', `/users/${user.body.id}`)).body.user.customAttributes, { other: 1 });
  const event = (await auditEvents(s.server, { action: 'custom_field.deleted', target_id: 'badge' }))[0];
  t.is(event.details.valuesRemoved, 1);
});

test('the user record shows the last successful and the last failed sign-in', async (t) => {
  const person = await s.server.createUser({ role: 'individual', status: 'active' });
  const before = await admin('GET', `/users/${person.id}`);
  t.is(before.body.lastSignIn, null);
  t.is(before.body.lastFailedSignIn, null);

  const rp = await relyingParty(s.server, await s.server.createClient());
  const attempt = async (password: string) => {
    const browser = new Browser(s.server.url);
    const form = await browser.open((await rp.authorizationUrl()).url.toString());
    await browser.submit(form, { username: person.email, password }, '/login');
  };
  await attempt('not-the-password-9');
  await attempt(PASSWORD);
  const after = await admin('GET', `/users/${person.id}`);
  t.like(after.body.lastSignIn, { outcome: 'succeeded', amr: ['pwd'] });
  t.like(after.body.lastFailedSignIn, { outcome: 'failed', reason: 'bad_password', identifier: person.email });
  t.true(Date.parse(after.body.lastSignIn.at) >= Date.parse(after.body.lastFailedSignIn.at));
});

test.serial('custom fields marked claim are in ID tokens under the profile scope', async (t) => {
  t.is(
    (await superAdmin('POST', '/custom-fields', { key: 'costCode', label: 'Cost code', type: 'text', claim: true }))
      .status,
    201,
  );
  t.is((await superAdmin('POST', '/custom-fields', { key: 'secretNote', label: 'Note', type: 'text' })).status, 201);
  const person = await s.server.createUser({ role: 'individual', status: 'active' });
  const set = await admin('PATCH', `/users/${person.id}`, { customAttributes: { costCode: 'CC-42', secretNote: 'x' } });
  t.is(set.status, 200, JSON.stringify(set.body));
  const rp = await relyingParty(s.server, await s.server.createClient());

  const { tokens } = await rp.signIn({ username: person.email, password: PASSWORD });
  t.is(tokens.claims()!.costCode, 'CC-42');
  t.is(tokens.claims()!.secretNote, undefined, 'a field not marked claim stays out of tokens');
  const withoutProfile = await rp.signIn({ username: person.email, password: PASSWORD }, { scope: 'openid email' });
  t.is(withoutProfile.tokens.claims()!.costCode, undefined, 'only with the profile scope');

  t.is((await superAdmin('PATCH', '/custom-fields/costCode', { claim: false })).status, 200);
  const after = await rp.signIn({ username: person.email, password: PASSWORD });
  t.is(after.tokens.claims()!.costCode, undefined);
  const discovery = await (await fetch(`${s.server.url}/.well-known/openid-configuration`)).json();
  t.false((discovery.claims_supported as string[]).includes('costCode'));
});
