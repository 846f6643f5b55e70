import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { fail } from '../errors/codes.js';
import { isPublicAddress } from '../policies/outbound-address.js';

export interface OutboundResponse {
  status: number;
}

/**
 * The one way Gatehouse calls out to URLs an operator registered (webhooks,
 * back-channel logout, upstream identity providers): a request without redirects, within a deadline, that refuses
 * private, loopback and link-local addresses (`policies/outbound-address.ts`).
 * The name is resolved once, every address it has is checked, and the connection
 * is made to the addresses checked (a name that resolves to a public address for
 * the check and a private one for the request cannot slip through).
 * `allowPrivate` (`OUTBOUND_ALLOW_PRIVATE=1`) lifts the check for development and tests.
 */
/** The most `fetch` reads of an answer. */
const MAX_FETCHED = 1024 * 1024;

export function createOutboundHttpService(deps: { allowPrivate: boolean; timeoutMs: number }) {
  const refused = (host: string, address: string) => fail('outbound.address_refused', { host, address });

  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family, hints: options.hints }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const bad = deps.allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (bad) return callback(refused(hostname, bad.address), '', 0);
      const first = addresses[0] as LookupAddress;
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };

  /** Sends one request to an allowed address (no redirects, within the deadline); `answer` reads the response. */
  function send<T>(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
    answer: (res: IncomingMessage, resolve: (value: T) => void, reject: (err: Error) => void) => void,
  ): Promise<T> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    // An address in the URL is never looked up: it is checked here.
    if (isIP(host) && !deps.allowPrivate && !isPublicAddress(host)) return Promise.reject(refused(host, host));
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const length = init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) };
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: init.method,
          lookup,
          timeout: deps.timeoutMs,
          signal: init.signal,
          headers: { ...init.headers, ...length, 'user-agent': 'Gatehouse' },
        },
        (res) => answer(res, resolve, reject),
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${deps.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(init.body);
    });
  }

  return {
    /** POSTs `body`; resolves with the status (any), rejects when no answer came or the address is refused. */
    post: (url: string, headers: Record<string, string>, body: string): Promise<OutboundResponse> =>
      send(url, { method: 'POST', headers, body }, (res, resolve, reject) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
      }),

    /**
     * The Fetch API over the same guard, for libraries that call out (openid-client, jose: an
     * upstream identity provider's discovery, token endpoint, JWKS). The answer is read whole,
     * at most 1 MiB.
     */
    fetch: (url: string, init: { method?: string; headers?: HeadersInit; body?: unknown; signal?: AbortSignal } = {}) =>
      send<Response>(
        url,
        {
          method: init.method ?? 'GET',
          headers: Object.fromEntries(new Headers(init.headers)),
          body: init.body === undefined || init.body === null ? undefined : String(init.body),
          signal: init.signal,
        },
        (res, resolve, reject) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_FETCHED) res.destroy(new Error(`the answer of ${url} is larger than 1 MiB`));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers))
              for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) headers.append(k, value);
            const status = res.statusCode ?? 0;
            const noBody = status === 204 || status === 304 || (status >= 100 && status < 200);
            resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers }));
          });
          res.on('error', reject);
        },
      ),
  };
}
export type OutboundHttpService = ReturnType<typeof createOutboundHttpService>;
