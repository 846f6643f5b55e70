/**
 * The languages a user's `preferredLanguage` and `locale` may name: BCP 47 tags,
 * the base languages Gatehouse ships (mails, pages) and their regional forms.
 * One list for every write path (admin API, CSV import, SCIM, self-service).
 */
export const SUPPORTED_LANGUAGES = [
  'en',
  'en-AU',
  'en-CA',
  'en-GB',
  'en-IE',
  'en-IN',
  'en-NZ',
  'en-US',
  'en-ZA',
  'de',
  'de-AT',
  'de-CH',
  'de-DE',
  'de-LI',
  'de-LU',
  'fr',
  'fr-BE',
  'fr-CA',
  'fr-CH',
  'fr-FR',
  'fr-LU',
  'es',
  'es-419',
  'es-AR',
  'es-CL',
  'es-CO',
  'es-ES',
  'es-MX',
  'es-US',
] as const;
export type SupportedLanguage = (typeof SUPPORTED_LANGUAGES)[number];

const BY_LOWER = new Map<string, SupportedLanguage>(SUPPORTED_LANGUAGES.map((l) => [l.toLowerCase(), l]));

/**
 * The supported tag a value names, in its canonical case (`en-gb` and `en_GB`
 * are `en-GB`); undefined when the value is not a BCP 47 tag or not supported.
 */
export function supportedLanguage(value: string): SupportedLanguage | undefined {
  let canonical: string | undefined;
  try {
    [canonical] = Intl.getCanonicalLocales(value.trim().replace(/_/g, '-'));
  } catch {
    return undefined;
  }
  return canonical === undefined ? undefined : BY_LOWER.get(canonical.toLowerCase());
}

let zones: Map<string, string> | undefined;
/** The IANA zone a value names, in its canonical case; undefined when there is none (UTC is one). */
export function ianaTimeZone(value: string): string | undefined {
  zones ??= new Map(['UTC', ...Intl.supportedValuesOf('timeZone')].map((z) => [z.toLowerCase(), z]));
  const known = zones.get(value.trim().toLowerCase());
  if (known) return known;
  // Aliases (Europe/Kiev, US/Eastern, Etc/GMT+1) are IANA zones the list above leaves out.
  // An offset (+01:00) is not a zone.
  if (!/^[A-Za-z]/.test(value.trim())) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value.trim() }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
