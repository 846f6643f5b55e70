import test, { type ExecutionContext } from 'ava';
import { ScimError } from '../../src/scim/errors.js';
import { compileFilter, compileSort } from '../../src/scim/filter.js';
import { applyPatch } from '../../src/scim/patch.js';
import { parsePatchPath } from '../../src/scim/patch-path.js';
import { project } from '../../src/scim/projection.js';
import { fromScimUser } from '../../src/scim/user-mapper.js';

/**
 * Attribute names a client sends are looked up as own keys only: names that
 * live on Object.prototype are unknown attributes (400), never a 500, and a
 * "__proto__" key in a body never becomes an object's prototype.
 */
const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function refused(t: ExecutionContext, fn: () => unknown, scimTypes: string[]) {
  const error = t.throws(fn, { instanceOf: ScimError }) as ScimError | undefined;
  t.is(error?.status, 400);
  t.true(scimTypes.includes(error?.scimType ?? ''), error?.scimType);
}

for (const name of NAMES) {
  for (const resource of ['User', 'Group'] as const) {
    for (const filter of [
      `${name} pr`,
      `${name} eq "x"`,
      `emails.${name} eq "x"`,
      `name.${name} pr`,
      `emails[${name} eq "x"]`,
      `members[${name} eq "x"]`,
      `${name}[value eq "x"]`,
      `${USER}:${name} pr`,
      `${ENTERPRISE}:${name} pr`,
    ]) {
      test(`${resource} filter ${filter} is invalidFilter`, (t) =>
        refused(t, () => compileFilter(filter, resource), ['invalidFilter']));
    }
    for (const sortBy of [name, `emails.${name}`, `${ENTERPRISE}:${name}`]) {
      test(`${resource} sortBy ${sortBy} is refused`, (t) =>
        refused(t, () => compileSort(sortBy, undefined, resource), ['invalidValue']));
    }
  }

  for (const path of [
    name,
    `name.${name}`,
    `${name}.value`,
    `emails[${name} eq "x"]`,
    `emails[type eq "work"].${name}`,
    `${ENTERPRISE}:${name}`,
  ]) {
    test(`PATCH path ${path} is invalidPath or invalidFilter`, (t) =>
      refused(t, () => parsePatchPath('User', path), ['invalidPath', 'invalidFilter']));
  }

  test(`PATCH without a path: a "${name}" key in the value is an unknown attribute`, (t) => {
    const body = JSON.parse(`{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{"${name}":{"x":1}}}]}`);
    refused(t, () => applyPatch('User', { schemas: [USER], userName: 'a' }, body), ['invalidPath']);
  });

  test(`attributes=${name} and excludedAttributes=${name} are ignored unknown names`, (t) => {
    const doc = { schemas: [USER], id: '1', userName: 'a', displayName: 'A' };
    t.deepEqual(project('User', doc, { attributes: name }), { schemas: [USER], id: '1' });
    t.deepEqual(project('User', doc, { excludedAttributes: name }), doc);
  });
}

test('a "__proto__" key in the flattened enterprise form does not become the extension object', (t) => {
  const body = JSON.parse(
    `{"schemas":["${USER}"],"userName":"a@example.com","${ENTERPRISE}:__proto__":{"organization":"Evil","department":"X"},"constructor":"c"}`,
  );
  const user = fromScimUser(body);
  t.is(user.organization, undefined);
  t.is(user.profile.department, null);
});

test('a filter string whose JSON escape spells NUL or an unpaired surrogate is invalidFilter', (t) => {
  for (const filter of ['userName eq "a\\u0000"', 'emails.type eq "\\ud800"', 'emails[type eq "\\u0000"]']) {
    refused(t, () => compileFilter(filter, 'User'), ['invalidFilter']);
  }
  refused(t, () => parsePatchPath('User', 'emails[type eq "\\u0000"]'), ['invalidFilter']);
  t.notThrows(() => compileFilter('userName eq "\\u00e9\\ud83d\\ude00"', 'User'), 'escapes of storable text are fine');
});
