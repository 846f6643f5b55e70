import test from 'ava';
import { perFile } from '../helpers/per-file.js';
import { SCIM, scimClient, scimToken } from '../helpers/scim.js';
import { PASSWORD, serverPerFile } from '../helpers/server.js';
import type { Json } from '../helpers/json.js';

// Requests shaped as Okta's SCIM 2.0 provisioning sends them.
const server = serverPerFile(test);
const scim = perFile(test, async () => scimClient(server, await scimToken(server, 'Okta')));

const oktaUser = (login: string) => ({
  schemas: [SCIM.user],
  userName: login,
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: login, type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: PASSWORD,
  active: true,
});

test('Okta user lifecycle: look up, create with a password, PUT, PUT active false', async (t) => {
  const login = 'test.user@okta.local';
  t.is((await scim.find('Users', `userName eq "${login}"`, '&startIndex=1&count=100')).body.totalResults, 0);

  const created = await scim.post('/Users', oktaUser(login));
  t.is(created.status, 201);
  const user = created.body;
  t.like(user, { userName: login, displayName: 'Test User', locale: 'en-US', active: true });
  t.false('password' in user, 'the password is never returned');
  const credential = await server.repos.credentials.forVerification(login);
  t.truthy(credential?.passwordHash, 'the userName signs in, with the password given');

  const fetched = await scim.get(`/Users/${user.id}`);
  t.deepEqual(fetched.body, user);

  const replaced = await scim.put(`/Users/${user.id}`, {
    ...oktaUser(login),
    id: user.id,
    name: { givenName: 'Tess', familyName: 'User' },
    title: 'Trainer',
    [SCIM.enterprise]: { employeeNumber: 'E-1001', organization: 'Okta Learning', department: 'Enablement' },
    password: undefined,
  });
  t.is(replaced.status, 200);
  t.like(replaced.body, {
    name: { givenName: 'Tess', familyName: 'User' },
    title: 'Trainer',
    [SCIM.enterprise]: { employeeNumber: 'E-1001', organization: 'Okta Learning', department: 'Enablement' },
  });
  // organization is the main account, made by name.
  const account = await server.db('accounts').whereRaw('lower(name) = ?', ['okta learning']).first();
  t.is((await server.repos.users.findById(user.id))!.mainAccountId, account.id);
  t.is(replaced.headers.get('etag'), `W/"${(await server.repos.users.findById(user.id))!.version}"`);

  // PUT replaces: an attribute left out is cleared.
  const cleared = await scim.put(`/Users/${user.id}`, { ...oktaUser(login), password: undefined, locale: undefined });
  t.false('locale' in cleared.body);
  t.false('title' in cleared.body);

  const deactivated = await scim.put(`/Users/${user.id}`, { ...oktaUser(login), password: undefined, active: false });
  t.is(deactivated.body.active, false);
  t.is((await server.repos.users.findById(user.id))!.status, 'inactive');
  t.is((await scim.find('Users', 'active eq false')).body.Resources.map((r: Json) => r.id).includes(user.id), true);

  const reactivated = await scim.request('PATCH', `/Users/${user.id}`, {
    schemas: [SCIM.patchOp],
    Operations: [{ op: 'replace', value: { active: true } }],
  });
  t.is(reactivated.body.active, true);
});

test('Okta group push: create, rename with id in the value, add and remove members with a filter', async (t) => {
  const member = (await scim.post('/Users', { ...oktaUser('member@okta.local'), externalId: 'okta-member' })).body;
  const group = await scim.post('/Groups', { schemas: [SCIM.group], displayName: 'Test SCIMv2', members: [] });
  t.is(group.status, 201);
  const id = group.body.id;

  const renamed = await scim.patch(`/Groups/${id}`, [
    { op: 'replace', value: { id, displayName: 'Test SCIMv2 updated' } },
  ]);
  t.is(renamed.status, 200);
  t.is(renamed.body.displayName, 'Test SCIMv2 updated');

  const added = await scim.patch(`/Groups/${id}`, [
    { op: 'add', path: 'members', value: [{ value: member.id, display: 'member@okta.local' }] },
  ]);
  t.deepEqual(
    added.body.members.map((m: Json) => m.value),
    [member.id],
  );

  const removed = await scim.patch(`/Groups/${id}`, [{ op: 'remove', path: `members[value eq "${member.id}"]` }]);
  t.deepEqual(removed.body.members ?? [], [], 'no members left');

  const put = await scim.put(`/Groups/${id}`, {
    schemas: [SCIM.group],
    id,
    displayName: 'Test SCIMv2 final',
    members: [{ value: member.id }],
  });
  t.is(put.body.displayName, 'Test SCIMv2 final');
  t.deepEqual(
    put.body.members.map((m: Json) => m.value),
    [member.id],
  );

  // Group names are unique case-insensitively.
  const clash = await scim.post('/Groups', { schemas: [SCIM.group], displayName: 'TEST SCIMV2 FINAL' });
  t.is(clash.status, 409);
  t.like(clash.body, { status: '409', scimType: 'uniqueness' });
  t.is(
    (
      await scim.patch(
        `/Groups/${(await scim.post('/Groups', { schemas: [SCIM.group], displayName: 'Other' })).body.id}`,
        [{ op: 'replace', path: 'displayName', value: 'test scimv2 final' }],
      )
    ).status,
    409,
  );

  t.is((await scim.delete(`/Groups/${id}`)).status, 204);
});
