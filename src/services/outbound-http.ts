import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { fail } from '../errors/codes.js';
import { isPublicAddress } from '../policies/outbound-address.js';

export interface OutboundResponse {
  status: number;
}

/**
 * The one way Gatehouse calls out to URLs an operator registered (webhooks,
 * back-channel logout): a POST without redirects, within a deadline, that refuses
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

  return {
    /** POSTs `body`; resolves with the status (any), rejects when no answer came or the address is refused. */
    post(url: string, headers: Record<string, string>, body: string): Promise<OutboundResponse> {
      const target = new URL(url);
      const host = target.hostname.replace(/^\[|\]$/g, '');
      // An address in the URL is never looked up: it is checked here.
      if (isIP(host) && !deps.allowPrivate && !isPublicAddress(host)) return Promise.reject(refused(host, host));
      const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise((resolve, reject) => {
        const req = request(
          target,
          {
            method: 'POST',
            lookup,
            timeout: deps.timeoutMs,
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Gatehouse' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${deps.timeoutMs} ms`)));
        req.on('error', reject);
        req.end(body);
      });
    },
  };
}
export type OutboundHttpService = ReturnType<typeof createOutboundHttpService>;
