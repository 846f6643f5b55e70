import type { CharacterClass } from '../domain/settings.js';

export interface PasswordPolicy {
  minLength: number;
  /** At least 128, so passphrases and password managers always fit. */
  maxLength: number;
  requireClasses: readonly CharacterClass[];
  /** How many previous passwords may not be reused. */
  history: number;
}

export interface PasswordContext {
  email?: string | null;
  names?: readonly (string | null | undefined)[];
  /** Membership test against the shipped common-password list. */
  isCommon: (password: string) => boolean;
}

export type PasswordViolation =
  | 'password.too_short'
  | 'password.too_long'
  | 'password.missing_class'
  | 'password.contains_personal_data'
  | 'password.too_common';

const CLASS_TESTS: Record<CharacterClass, RegExp> = {
  lower: /\p{Ll}/u,
  upper: /\p{Lu}/u,
  digit: /\p{Nd}/u,
  symbol: /[^\p{L}\p{Nd}]/u,
};

/** Parts of personal data shorter than this are too common to refuse (e.g. "Li"). */
const MIN_PERSONAL_PART = 3;

/**
 * Checks a candidate password against the policy; the first violation wins.
 * The history rule needs hash verification and is applied by the caller.
 */
export function evaluatePassword(
  password: string,
  context: PasswordContext,
  policy: PasswordPolicy,
): PasswordViolation | null {
  const length = [...password].length;
  if (length < policy.minLength) return 'password.too_short';
  if (length > policy.maxLength) return 'password.too_long';
  if (policy.requireClasses.some((c) => !CLASS_TESTS[c].test(password))) return 'password.missing_class';
  const lower = password.toLowerCase();
  if (personalParts(context).some((part) => lower.includes(part))) return 'password.contains_personal_data';
  if (context.isCommon(password)) return 'password.too_common';
  return null;
}

function personalParts(context: PasswordContext): string[] {
  const parts: string[] = [];
  const email = context.email?.toLowerCase();
  if (email) {
    const local = email.split('@')[0] ?? '';
    parts.push(email, local, ...local.split(/[._+-]/));
  }
  for (const name of context.names ?? []) if (name) parts.push(...name.toLowerCase().split(/[\s._+-]+/));
  return parts.filter((p) => p.length >= MIN_PERSONAL_PART);
}
