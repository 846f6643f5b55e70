/**
 * How a person proved who they are (RFC 8176 `amr` values) and the assurance
 * level (`acr`) that follows from it.
 *
 *   pwd   password
 *   otp   a one-time code: TOTP, or a single-use recovery code
 *   hwk   a WebAuthn authenticator (passkey / security key)
 *   user  the authenticator verified the person (PIN or biometrics): a passkey alone
 *   fed   the organisation's identity provider (federation): the first factor
 *   mfa   that provider vouched for several factors, and it is trusted for MFA
 */
export type AuthMethod = 'pwd' | 'otp' | 'hwk' | 'user' | 'fed' | 'mfa';

/** Password only. */
export const ACR_PASSWORD = 'urn:gatehouse:loa:1';
/**
 * Two factors: password (or the organisation's sign-in) + TOTP / recovery code / security
 * key, a user-verifying passkey, or a provider trusted for MFA that vouched for it.
 */
export const ACR_MFA = 'urn:gatehouse:loa:2';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA] as const;

/** True when the methods amount to more than one factor. */
export function isMultiFactor(amr: readonly string[] | undefined): boolean {
  if (!amr) return false;
  const has = (m: string) => amr.includes(m);
  const first = has('pwd') || has('fed');
  return (first && (has('otp') || has('hwk'))) || (has('hwk') && has('user')) || (has('fed') && has('mfa'));
}

export function acrFor(amr: readonly string[]): string {
  return isMultiFactor(amr) ? ACR_MFA : ACR_PASSWORD;
}
