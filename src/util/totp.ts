import { generateSecret, verify } from 'otplib';

/**
 * RFC 6238 as every authenticator app does it: SHA-1, 6 digits, 30-second steps,
 * a 20-byte secret in base32.
 */
export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The time step of `now`. */
export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD);
}

/** The issuer shown in authenticator apps: "Gatehouse", with the issuer's host unless it is a local one. */
export function totpIssuerLabel(issuer: string): string {
  const host = new URL(issuer).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]'
    ? 'Gatehouse'
    : `Gatehouse (${host})`;
}

/** The `otpauth://` URI an authenticator app scans. */
export function totpUri(issuerLabel: string, accountName: string, secret: string): string {
  const issuer = encodeURIComponent(issuerLabel);
  return `otpauth://totp/${issuer}:${encodeURIComponent(accountName)}?secret=${secret}&issuer=${issuer}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD}`;
}

/**
 * The time step a code belongs to, or null. A code may be one step old or one step
 * ahead (clock drift); a code of step `lastStep` or older is refused (replay).
 * Spaces in the input are ignored; anything but six digits is simply wrong.
 */
export async function matchTotp(
  secret: string,
  input: string,
  now: Date,
  lastStep: number | null,
): Promise<number | null> {
  const token = input.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const epoch = Math.floor(now.getTime() / 1000);
  // otplib throws when afterTimeStep lies beyond the window: every code is refused then anyway.
  if (lastStep !== null && lastStep >= totpStep(now) + 1) return null;
  const result = await verify({
    secret,
    token,
    epoch,
    period: TOTP_PERIOD,
    digits: TOTP_DIGITS,
    algorithm: 'sha1',
    epochTolerance: TOTP_PERIOD,
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  // delta: the matching step's distance from the current one (-1, 0 or 1).
  return result.valid ? totpStep(now) + result.delta : null;
}
