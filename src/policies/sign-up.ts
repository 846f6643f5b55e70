import type { SelfRegistration } from '../domain/settings.js';
import type { Status } from '../domain/user.js';

/** The form of the sign-up page, as typed. */
export interface SignUpForm {
  email: string;
  givenName: string;
  familyName: string;
}

export type SignUpRefusal =
  | { code: 'sign_up.disabled' }
  | { code: 'sign_up.invalid_email' }
  | { code: 'sign_up.name_required' }
  | { code: 'sign_up.domain_not_allowed'; domains: readonly string[] };

/** Longest email (RFC 5321's path) and name the form takes. */
export const SIGN_UP_LIMITS = { email: 254, name: 200 } as const;

/** One @, something before it, a domain with a dot after it, no spaces: what a mail can be sent to. */
const EMAIL = /^[^\s@]+@([^\s@.]+\.)+[^\s@.]+$/;
/** An address mail could go to (the sign-up form's rule; the change of one's own email uses it too). */
export const isPlausibleEmail = (email: string): boolean => email.length <= SIGN_UP_LIMITS.email && EMAIL.test(email);

/**
 * Whether a sign-up may go ahead (before the password policy, which the
 * identity service applies): self-registration on, a mailable address, both
 * names, and the address's domain among the allowed ones (exact match, any
 * case; none listed: any). Nothing here depends on who is registered already.
 */
export function evaluateSignUp(form: SignUpForm, settings: SelfRegistration): SignUpRefusal | null {
  if (!settings.enabled) return { code: 'sign_up.disabled' };
  const email = form.email.trim();
  if (!isPlausibleEmail(email)) return { code: 'sign_up.invalid_email' };
  const names = [form.givenName.trim(), form.familyName.trim()];
  if (names.some((n) => !n || n.length > SIGN_UP_LIMITS.name)) return { code: 'sign_up.name_required' };
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const allowed = settings.allowedDomains.map((d) => d.toLowerCase());
  if (allowed.length && !allowed.includes(domain))
    return { code: 'sign_up.domain_not_allowed', domains: settings.allowedDomains };
  return null;
}

/** The status of a confirmed sign-up: waiting for an administrator, or active at once. */
export function statusAfterSignUp(settings: Pick<SelfRegistration, 'approval'>): Status {
  return settings.approval === 'none' ? 'active' : 'pending';
}
