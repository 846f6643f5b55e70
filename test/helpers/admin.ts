import type { TestFn } from 'ava';
import type { Role, Status } from '../../src/domain/user.js';
import { perFile } from './per-file.js';
import { relyingParty } from './rp.js';
import { PASSWORD, startServer, type TestServer } from './server.js';
import type { Json } from './json.js';

export interface ApiReply<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the admin API with a bearer token; JSON in and out (text when the answer is not JSON). */
export type AdminFetch = <T = Json>(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ApiReply<T>>;

/**
 * A Gatehouse for admin API tests: no role needs MFA (sign-in stays one step),
 * and `as(user)` signs a user in through the real pages with openid-client and
 * returns a client for the API holding their access token.
 */
export async function startAdminServer(
  env: Record<string, string> = {},
  options: Parameters<typeof startServer>[1] = {},
) {
  const server = await startServer({ MFA_REQUIRED_ROLES: '', ...env }, options);
  return { ...(await adminApiOn(server)), close: () => server.close() };
}
export type AdminServer = Awaited<ReturnType<typeof startAdminServer>>;

/** The admin API of a running Gatehouse (one of the console's tests, say): tokens and clients as above. */
export async function adminApiOn(server: TestServer) {
  const rp = await relyingParty(server, await server.createClient({ clientId: 'admin-console' }));
  const base = `${server.url}/admin/api`;

  async function tokenOf(who: { email: string }): Promise<string> {
    const { tokens } = await rp.signIn(
      { username: who.email, password: PASSWORD },
      { scope: 'openid admin', resource: base },
    );
    return tokens.access_token;
  }

  function client(token: string | undefined): AdminFetch {
    return async (method, path, body, headers = {}) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      const json = (res.headers.get('content-type') ?? '').includes('json');
      return { status: res.status, body: json && text ? JSON.parse(text) : text, headers: res.headers };
    };
  }

  return {
    server,
    base,
    tokenOf,
    client,
    /** A new user of this role (and status), signed in: their id, email and API client. */
    async as(role: Role, extra: { status?: Status } = {}) {
      const user = await server.createUser({ role, status: extra.status ?? 'active' });
      return { ...user, api: client(await tokenOf(user)) };
    },
  };
}
export type SignedIn = Awaited<ReturnType<AdminServer['as']>>;

/** The admin server of a test file: started before its tests, closed after them. */
export function adminServerPerFile(test: TestFn, ...start: Parameters<typeof startAdminServer>): AdminServer {
  return perFile(
    test,
    () => startAdminServer(...start),
    (s) => s.close(),
  );
}

/** A new user of this role, signed in on the file's server before its tests (`s.as(role)`, after the server starts). */
export function signedInPerFile(test: TestFn, s: AdminServer, role: Role): SignedIn {
  return perFile(test, () => s.as(role));
}
export { PASSWORD, type TestServer };
