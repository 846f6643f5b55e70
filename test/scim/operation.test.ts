import test from 'ava';
import { scimOperation } from '../../src/scim/operation.js';

// What a SCIM request is counted as: a fixed set, whatever the path holds.
const CASES: [string, string, string][] = [
  ['GET', '/scim/v2/Users', 'users.list'],
  ['POST', '/scim/v2/Users', 'users.create'],
  ['GET', '/scim/v2/Users/2819c223-7f76-453a-919d-413861904646', 'users.get'],
  ['PUT', '/scim/v2/Users/abc', 'users.replace'],
  ['PATCH', '/scim/v2/Groups/abc', 'groups.patch'],
  ['DELETE', '/scim/v2/Groups/abc', 'groups.delete'],
  ['GET', '/scim/v2/Groups', 'groups.list'],
  ['POST', '/scim/v2/Users/.search', 'users.search'],
  ['POST', '/scim/v2/.search', 'search'],
  ['POST', '/scim/v2/Bulk', 'bulk'],
  ['GET', '/scim/v2/ServiceProviderConfig', 'discovery'],
  ['GET', '/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User', 'discovery'],
  ['GET', '/scim/v2/ResourceTypes', 'discovery'],
  ['GET', '/scim/v2/users', 'users.list'],
  ['DELETE', '/scim/v2/Users', 'other'],
  ['POST', '/scim/v2/Users/abc', 'other'],
  ['GET', '/scim/v2/Users/.search', 'other'],
  ['GET', '/scim/v2/Users/abc/def', 'other'],
  ['GET', '/scim/v2/Whatever', 'other'],
  ['GET', '/scim/v2', 'other'],
];

for (const [method, path, operation] of CASES)
  test(`${method} ${path} is ${operation}`, (t) => {
    t.is(scimOperation(method, path), operation);
  });
