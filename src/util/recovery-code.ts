import { createHmac, randomBytes } from 'node:crypto';

/** Crockford's base32 in lower case: no i, l, o or u, so nothing reads as something else. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 12;

/** A code to show once: `xxxx-xxxx-xxxx`, 12 symbols of 5 bits, 60 bits of entropy. */
export function newRecoveryCode(): string {
  const symbols = [...randomBytes(LENGTH)].map((b) => ALPHABET[b & 31]).join('');
  return (symbols.match(/.{4}/g) ?? []).join('-');
}

/**
 * The canonical form of what a person typed: lower case, without dashes or spaces,
 * with i/l read as 1 and o as 0 (as Crockford's base32 does). Null when it cannot be a code.
 */
export function normaliseRecoveryCode(input: string): string | null {
  const code = input
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

/**
 * HMAC-SHA-256 under a key derived from the server secret. The codes carry 60
 * random bits, so a keyed hash (looked up directly) is as good as a slow one, and a
 * stolen table is useless without the secret.
 */
export function recoveryCodeHasher(key: Buffer): (normalised: string) => string {
  return (normalised) => createHmac('sha256', key).update(normalised).digest('base64url');
}
