import { ScimError } from './errors.js';

/** A resource's ETag: its version, weak (RFC 7644 §3.14). */
export const etag = (version: number) => `W/"${version}"`;

/** Refuses with 412 when `If-Match` names neither `*` nor the current version. */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (!ifMatch) return;
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes('*') || tags.includes(`"${version}"`)) return;
  throw new ScimError(412, undefined, `The resource has changed: its version is now ${etag(version)}.`);
}
