import type { TestServer } from './server.js';
import type { Json } from './json.js';

export const SCIM = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
} as const;

export interface ScimResponse {
  status: number;
  body: Json;
  headers: Headers;
}

/** A SCIM client as HR systems are: a bearer token and JSON over HTTP. */
export function scimClient(server: TestServer, token: string) {
  const base = `${server.url}/scim/v2`;
  async function request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimResponse> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }
  return {
    request,
    get: (path: string) => request('GET', path),
    post: (path: string, body: unknown) => request('POST', path, body),
    put: (path: string, body: unknown, headers?: Record<string, string>) => request('PUT', path, body, headers),
    patch: (path: string, operations: unknown[], headers?: Record<string, string>) =>
      request('PATCH', path, { schemas: [SCIM.patchOp], Operations: operations }, headers),
    delete: (path: string, headers?: Record<string, string>) => request('DELETE', path, undefined, headers),
    /** `filter` URL-encoded, as clients send it. */
    find: (resource: 'Users' | 'Groups', filter: string, extra = '') =>
      request('GET', `/${resource}?filter=${encodeURIComponent(filter)}${extra}`),
  };
}
export type ScimClient = ReturnType<typeof scimClient>;

/** A SCIM token made as an operator makes one (`gatehouse scim-token create`). */
export async function scimToken(
  server: TestServer,
  name = `hr-${Date.now()}-${Math.random().toString(36).slice(2, 7)}`,
  roles?: string[],
) {
  const made = await server.container.scim.auth.create(name, roles as never);
  return made.token;
}
