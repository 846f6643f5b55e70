/**
 * How a person proved who they are (RFC 8176 `amr` values) and the assurance
 * level (`acr`) that follows from it.
 *
 *   pwd   password
 *   otp   a one-time code: TOTP, or a single-use recovery code
 *   hwk   a WebAuthn authenticator (passkey / security key)
 *   user  the authenticator verified the person (PIN or biometrics): a passkey alone
 */
export type AuthMethod = 'pwd' | 'otp' | 'hwk' | 'user';

/** Password only. */
export const ACR_PASSWORD = 'urn:gatehouse:loa:1';
/** Two factors: password + TOTP / recovery code / security key, or a user-verifying passkey. */
export const ACR_MFA = 'urn:gatehouse:loa:2';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA] as const;

/** True when the methods amount to more than one factor. */
export function isMultiFactor(amr: readonly string[] | undefined): boolean {
  if (!amr) return false;
  const has = (m: string) => amr.includes(m);
  return (has('pwd') && (has('otp') || has('hwk'))) || (has('hwk') && has('user'));
}

export function acrFor(amr: readonly string[]): string {
  return isMultiFactor(amr) ? ACR_MFA : ACR_PASSWORD;
}
