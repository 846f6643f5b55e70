import test from 'ava';
import { mayIntrospect } from '../../src/policies/introspection.js';

const API = 'https://api.example.test';
const OTHER_API = 'https://other.example.test';

const TABLE: ReadonlyArray<{
  name: string;
  caller: Parameters<typeof mayIntrospect>[0];
  token: Parameters<typeof mayIntrospect>[1];
  allowed: boolean;
}> = [
  { name: 'the client the token was issued to', caller: { clientId: 'a' }, token: { clientId: 'a' }, allowed: true },
  { name: 'another client', caller: { clientId: 'b' }, token: { clientId: 'a' }, allowed: false },
  { name: 'another client, token without a client', caller: { clientId: 'b' }, token: {}, allowed: false },
  {
    name: 'the resource server the token is for',
    caller: { clientId: 'rs', resourceServer: API },
    token: { clientId: 'a', aud: API },
    allowed: true,
  },
  {
    name: 'the resource server, among several audiences',
    caller: { clientId: 'rs', resourceServer: API },
    token: { clientId: 'a', aud: [OTHER_API, API] },
    allowed: true,
  },
  {
    name: 'a resource server the token is not for',
    caller: { clientId: 'rs', resourceServer: OTHER_API },
    token: { clientId: 'a', aud: API },
    allowed: false,
  },
  {
    name: 'a resource server, token without audience',
    caller: { clientId: 'rs', resourceServer: API },
    token: { clientId: 'a' },
    allowed: false,
  },
  {
    name: 'a client that is no resource server, token with audience',
    caller: { clientId: 'b', resourceServer: null },
    token: { clientId: 'a', aud: API },
    allowed: false,
  },
];

for (const row of TABLE) {
  test(`${row.name}: ${row.allowed ? 'may' : 'may not'} introspect`, (t) => {
    t.is(mayIntrospect(row.caller, row.token), row.allowed);
  });
}
