import { MAIL_LANGUAGES, type MailLanguage } from './mail-templates.js';
import { PAGE_STRINGS_DE } from './page-strings-de.js';
import { PAGE_STRINGS_EN } from './page-strings-en.js';
import { PAGE_STRINGS_ES } from './page-strings-es.js';
import { PAGE_STRINGS_FR } from './page-strings-fr.js';

/**
 * The pages' texts in every shipped language: i18next resources (namespace
 * `page`), English the reference. The types make every language hold every key
 * of English and every error below; `test/domain/page-strings.test.ts` checks
 * the placeholders and that every key a view uses exists.
 */

/** The languages pages come in: the mails' (ISO 639-1); English is the last fallback. */
export const PAGE_LANGUAGES = MAIL_LANGUAGES;
export type PageLanguage = MailLanguage;

/** Each language's own name, for the language switcher. */
export const LANGUAGE_NAMES: Record<PageLanguage, string> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
};

/**
 * The errors a page shows a person (errors/codes.ts), with the values their
 * translations may name: `wait` is "in 5 minutes", lists are joined. English
 * takes the catalogue's own text; other languages translate every one.
 */
export const PAGE_ERROR_CODES = {
  'csrf.invalid': [],
  'rate_limit.exceeded': ['wait'],
  'server.busy': [],
  'auth.required': [],
  'login.invalid_credentials': [],
  'login.locked': [],
  'login.inactive': [],
  'login.pending': [],
  'login.deleted': [],
  'login.not_allowed': [],
  'login.no_licence': [],
  'login.federation_required': [],
  'login.upstream_unknown_user': [],
  'login.upstream_refused': [],
  'login.upstream_invalid': [],
  'federation.unknown_provider': [],
  'federation.unreachable': ['provider'],
  'federation.no_sign_in': [],
  'federation.upstream_invalid': ['problem'],
  'federation.upstream_denied': ['status'],
  'federation.upstream_signature': [],
  'federation.upstream_issuer': [],
  'federation.upstream_audience': [],
  'federation.upstream_recipient': [],
  'federation.upstream_expired': [],
  'federation.upstream_replay': [],
  'federation.upstream_unknown_request': [],
  'interaction.wrong_step': [],
  'interaction.grant_missing': [],
  'interaction.unknown_prompt': [],
  'password.too_short': ['minLength'],
  'password.too_long': ['maxLength'],
  'password.missing_class': ['requireClasses'],
  'password.contains_personal_data': [],
  'password.too_common': [],
  'password.reused': ['history'],
  'password.confirmation_differs': [],
  'password_reset.invalid_token': [],
  'sign_up.disabled': [],
  'sign_up.invalid_email': [],
  'sign_up.name_required': [],
  'sign_up.domain_not_allowed': ['domains'],
  'sign_up.passwords_differ': [],
  'sign_up.invalid_token': [],
  'mfa.totp_exists': [],
  'mfa.no_enrolment': [],
  'mfa.invalid_code': [],
  'mfa.locked': [],
  'passkey.invalid': [],
  'passkey.not_found': [],
  'passkey.already_registered': [],
  'self_service.wrong_password': [],
  'self_service.totp_invalid_code': [],
  'self_service.totp_locked': [],
  'email_change.invalid_email': [],
  'email_change.same_email': [],
  'email_change.invalid_token': [],
  'email_change.taken': [],
  'user.invalid_language': [],
  'user.invalid_timezone': [],
} as const satisfies Record<string, readonly string[]>;
export type PageErrorCode = keyof typeof PAGE_ERROR_CODES;

type Texts<T> = { [K in keyof T]: T[K] extends string ? string : Texts<T[K]> };
/** One language's texts: English's keys, and a translation of every page error. */
export type PageStrings = Texts<typeof PAGE_STRINGS_EN> & { errors: Record<PageErrorCode, string> };

/** i18next resources by language: namespace `page`, and `errors` (none in English: the catalogue's texts). */
export const PAGE_STRINGS: Record<
  PageLanguage,
  { page: Texts<typeof PAGE_STRINGS_EN>; errors: Partial<Record<PageErrorCode, string>> }
> = {
  en: { page: PAGE_STRINGS_EN, errors: {} },
  de: split(PAGE_STRINGS_DE),
  fr: split(PAGE_STRINGS_FR),
  es: split(PAGE_STRINGS_ES),
};

function split({ errors, ...page }: PageStrings) {
  return { page, errors };
}
