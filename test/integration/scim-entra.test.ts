import test from 'ava';
import { auditEvents } from '../helpers/audit.js';
import { perFile } from '../helpers/per-file.js';
import { SCIM, scimClient, scimToken } from '../helpers/scim.js';
import { serverPerFile } from '../helpers/server.js';
import type { Json } from '../helpers/json.js';

// Requests shaped as Microsoft Entra ID's provisioning service sends them.
const server = serverPerFile(test);
const scim = perFile(test, async () => scimClient(server, await scimToken(server, 'Entra ID')));

const entraUser = (suffix: string) => ({
  schemas: [SCIM.user, SCIM.enterprise],
  externalId: `0a21f0f2-8d2a-4f8e-bf98-${suffix}`,
  userName: `Test_User_${suffix}@contoso.com`,
  active: true,
  emails: [{ primary: true, type: 'work', value: `Test_User_${suffix}@testuser.com` }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
});

test('Entra user lifecycle: look up, create, patch, disable with "False", manager, delete', async (t) => {
  const body = entraUser('7363c4aed4ef');
  const missing = await scim.find('Users', `userName eq "${body.userName}"`, '&startIndex=1&count=1');
  t.is(missing.status, 200);
  t.like(missing.body, { schemas: [SCIM.listResponse], totalResults: 0 });

  const created = await scim.post('/Users', body);
  t.is(created.status, 201);
  t.regex(created.headers.get('content-type')!, /^application\/scim\+json/);
  const id = created.body.id as string;
  t.is(created.headers.get('location'), `${server.url}/scim/v2/Users/${id}`);
  t.is(created.headers.get('etag'), created.body.meta.version);
  t.like(created.body, {
    userName: body.userName,
    externalId: body.externalId,
    active: true,
    name: body.name,
    meta: { resourceType: 'User' },
  });
  t.deepEqual(created.body.emails, body.emails);
  t.is(created.body.password, undefined);

  // Lookups are case-insensitive on userName.
  const found = await scim.find('Users', `userName eq "${body.userName.toUpperCase()}"`);
  t.is(found.body.totalResults, 1);
  t.is(found.body.Resources[0].id, id);

  const patched = await scim.patch(`/Users/${id}`, [
    { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@contoso.com' },
    { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
    { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Training' },
  ]);
  t.is(patched.status, 200);
  t.like(patched.body, {
    name: { familyName: 'updatedFamilyName', givenName: 'givenName' },
    [SCIM.enterprise]: { department: 'Training' },
  });
  t.deepEqual(patched.body.emails, [{ primary: true, type: 'work', value: 'updatedEmail@contoso.com' }]);
  t.deepEqual(patched.body.phoneNumbers, [{ type: 'mobile', value: '+1 555 0100' }]);
  // The primary email is the user's sign-in email.
  t.is((await server.repos.users.findById(id))!.email, 'updatedEmail@contoso.com');
  t.is((await scim.find('Users', 'emails.value eq "UPDATEDEMAIL@contoso.com"')).body.Resources[0].id, id);

  const manager = await scim.post('/Users', entraUser('00000000manager'));
  const withManager = await scim.patch(`/Users/${id}`, [
    { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: manager.body.id },
  ]);
  t.like(withManager.body[SCIM.enterprise], {
    manager: { value: manager.body.id, displayName: 'givenName familyName' },
  });
  t.is((await server.repos.users.findById(id))!.directManagerId, manager.body.id);

  const disabled = await scim.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'False' }]);
  t.is(disabled.status, 200);
  t.is(disabled.body.active, false);
  t.is((await server.repos.users.findById(id))!.status, 'inactive');
  t.is((await scim.get(`/Users/${id}`)).body.active, false, 'a deactivated user is still there');

  const enabled = await scim.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'True' }]);
  t.is(enabled.body.active, true);
  t.is((await server.repos.users.findById(id))!.status, 'active');

  t.is((await scim.delete(`/Users/${id}`)).status, 204);
  const gone = await scim.get(`/Users/${id}`);
  t.is(gone.status, 404);
  t.like(gone.body, { schemas: [SCIM.error], status: '404' });
  t.is((await server.repos.users.findById(id))!.status, 'deleted', 'deleting is a soft delete');
  t.is((await scim.find('Users', `userName eq "${body.userName}"`)).body.totalResults, 0);

  // The userName (and email) can be used again.
  const again = await scim.post('/Users', body);
  t.is(again.status, 201);
  t.not(again.body.id, id);

  const audit = await auditEvents(server, { target_id: id }).orderBy('id');
  t.true(audit.length >= 5);
  t.true(audit.every((e) => e.actor_type === 'scim_token' && e.actor_name === 'Entra ID'));
  t.deepEqual(
    audit.map((e) => e.action).filter((a, i, all) => all.indexOf(a) === i),
    ['user.created', 'user.updated', 'user.deleted'],
  );
});

test('Entra group lifecycle: create, look up without members, add and remove members, rename, delete', async (t) => {
  const alice = (await scim.post('/Users', entraUser('group-alice'))).body;
  const bob = (await scim.post('/Users', entraUser('group-bob'))).body;

  const created = await scim.post('/Groups', {
    schemas: [SCIM.group],
    externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    displayName: 'Sales Team',
    meta: { resourceType: 'Group' },
  });
  t.is(created.status, 201);
  const id = created.body.id as string;
  t.like(created.body, {
    displayName: 'Sales Team',
    externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    meta: { resourceType: 'Group' },
  });

  const lookup = await scim.find('Groups', 'displayName eq "sales team"', '&excludedAttributes=members');
  t.is(lookup.body.totalResults, 1);
  t.is(lookup.body.Resources[0].id, id);
  t.false('members' in lookup.body.Resources[0]);

  const added = await scim.patch(`/Groups/${id}`, [
    {
      op: 'Add',
      path: 'members',
      value: [
        { $ref: null, value: alice.id },
        { $ref: null, value: bob.id },
      ],
    },
  ]);
  t.is(added.status, 200);
  t.deepEqual(added.body.members.map((m: Json) => m.value).sort(), [alice.id, bob.id].sort());
  t.deepEqual(
    (await scim.get(`/Users/${alice.id}`)).body.groups.map((g: Json) => [g.value, g.display]),
    [[id, 'Sales Team']],
  );
  t.is((await scim.find('Groups', `members.value eq "${bob.id}"`)).body.totalResults, 1);

  const removed = await scim.patch(`/Groups/${id}`, [
    { op: 'Remove', path: 'members', value: [{ $ref: null, value: alice.id }] },
  ]);
  t.deepEqual(
    removed.body.members.map((m: Json) => m.value),
    [bob.id],
  );

  const renamed = await scim.patch(`/Groups/${id}`, [{ op: 'Replace', path: 'displayName', value: 'Sales Team EMEA' }]);
  t.is(renamed.body.displayName, 'Sales Team EMEA');
  t.is(renamed.body.members.length, 1);

  const excluded = await scim.get(`/Groups/${id}?excludedAttributes=members`);
  t.false('members' in excluded.body);

  t.is((await scim.delete(`/Groups/${id}`)).status, 204);
  t.is((await scim.get(`/Groups/${id}`)).status, 404);
  t.deepEqual((await scim.get(`/Users/${bob.id}`)).body.groups ?? [], []);
});
