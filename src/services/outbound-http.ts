import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { fail } from '../errors/codes.js';
import { isPublicAddress } from '../policies/outbound-address.js';

export interface OutboundResponse {
  status: number;
}

/**
 * The one way Gatehouse calls out to URLs an operator registered (webhooks,
 * back-channel logout, SAML metadata): a POST or GET without redirects, within a deadline, that refuses
 * private, loopback and link-local addresses (`policies/outbound-address.ts`).
 * The name is resolved once, every address it has is checked, and the connection
 * is made to the addresses checked (a name that resolves to a public address for
 * the check and a private one for the request cannot slip through).
 * `allowPrivate` (`OUTBOUND_ALLOW_PRIVATE=1`) lifts the check for development and tests.
 */
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

  /** Opens a request to `url` through the checked lookup, without redirects, within the deadline. */
  const open = (url: string, options: RequestOptions, answer: (res: IncomingMessage) => void) => {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    // An address in the URL is never looked up: it is checked here.
    if (isIP(host) && !deps.allowPrivate && !isPublicAddress(host)) throw refused(host, host);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(target, { ...options, lookup, timeout: deps.timeoutMs }, answer);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${deps.timeoutMs} ms`)));
    return req;
  };

  return {
    /** POSTs `body`; resolves with the status (any), rejects when no answer came or the address is refused. */
    post(url: string, headers: Record<string, string>, body: string): Promise<OutboundResponse> {
      return new Promise((resolve, reject) => {
        const req = open(
          url,
          {
            method: 'POST',
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Gatehouse' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },

    /** GETs `url` (a document such as SAML metadata); rejects past `limitBytes`, when no answer came or the address is refused. */
    get(url: string, limitBytes: number): Promise<OutboundResponse & { body: string }> {
      return new Promise((resolve, reject) => {
        const req = open(url, { method: 'GET', headers: { 'user-agent': 'Gatehouse' } }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > limitBytes) req.destroy(new Error(`the answer is larger than ${limitBytes} bytes`));
            else chunks.push(chunk);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    },
  };
}
export type OutboundHttpService = ReturnType<typeof createOutboundHttpService>;
