import { compileFilter, compileSort } from './src/scim/filter.js';
const fs = [
  'userName eq "Alice"', 'a pr', 'userName eq "a" or userName eq "b" and title eq "c"', '(userName eq "a" or userName eq "b") and title eq "c"',
  'not (name.familyName eq "x")', 'name.familyName ne "x"', 'not (title pr)', 'emails[type eq "work" and value co "@x"]',
  'emails[type eq "work"].value co "x"', 'emails[type eq "work" or type eq "home"].value sw "a_b%" and active eq true',
  'emails co "@x"', 'emails pr', 'emails eq null', 'title ne null', 'id eq "nope"', 'id ne "nope"', 'id sw "ABC"', 'id eq "6F1A4D9E-0B4C-4D1E-9C2B-2A3B4C5D6E7F"',
  'meta.created gt "2024-01-01T00:00:00Z"', 'meta.created gt "2024-02-30T00:00:00Z"', 'meta.created gt "not a date"', 'active eq "x"', 'active gt true',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "6f1a4d9e-0b4c-4d1e-9c2b-2a3b4c5d6e7f"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName eq "x"', 'organization eq "Acme"', 'roles[primary eq true]', 'groups.display co "eng"',
  'not (emails[type eq "work"]) and not (roles pr)', 'USERNAME EQ "x"', 'userName eq 5', 'emails[type eq "work"].', 'emails[type[value eq "x"]]', 'x eq "y"',
  'userName eq "a" and not (not (title pr or externalId eq "X"))', 'emails[not (type eq "work")]', 'emails[value eq null]', 'roles.type pr',
];
for (const f of fs) { try { const r = compileFilter(f, 'User'); console.log(f, '\n   ', r.sql, JSON.stringify(r.bindings)); } catch (e: any) { console.log(f, '\n    ERR', e.name, e.status, e.scimType, e.message); } }
for (const f of ['members eq "6f1a4d9e-0b4c-4d1e-9c2b-2a3b4c5d6e7f"', 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName sw "Eng"', 'userName eq "x"']) { try { const r = compileFilter(f, 'Group'); console.log(f, '\n   ', r.sql, JSON.stringify(r.bindings)); } catch (e: any) { console.log(f, '\n    ERR', e.message); } }
for (const [b, o] of [[undefined, undefined], ['name.familyName', undefined], ['name.familyName', 'DESCENDING'], ['emails', 'ascending'], ['meta.created', 'descending'], ['id', undefined], ['externalId', undefined], ['organization', undefined]] as const) console.log(b, o, '->', compileSort(b, o, 'User'));
