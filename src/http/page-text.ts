import i18next from 'i18next';
import { PAGE_LANGUAGES, PAGE_STRINGS, type PageLanguage } from '../domain/page-strings.js';
import type { PageNotice } from '../errors/codes.js';
import { escapeHtml } from '../policies/mail-template.js';

/**
 * The pages' texts (domain/page-strings.ts) through i18next: namespace `page` for
 * the pages, `errors` for the errors they show (by code; English has none and
 * shows the catalogue's text). What comes out is HTML: the texts are ours,
 * every value put in is escaped. No fallback language: every one is complete.
 */
const i18n = i18next.createInstance();
void i18n.init({
  resources: Object.fromEntries(PAGE_LANGUAGES.map((l) => [l, PAGE_STRINGS[l]])),
  ns: ['page', 'errors'],
  defaultNS: 'page',
  lng: 'en',
  fallbackLng: false,
  initAsync: false,
  returnNull: false,
  interpolation: { escapeValue: true },
});

type Values = Record<string, unknown>;

/** The texts of one language, as the templates use them (`it.t`, `it.tOr`, `it.notice`). */
export function pageText(language: PageLanguage) {
  const lng = language;
  /** A text; throws when this language lacks it (a test checks every key the views use). */
  const t = (key: string, values: Values = {}): string => {
    if (!i18n.exists(key, { lng, ...values })) throw new Error(`page string ${key} is missing in ${language}`);
    return i18n.t(key, { lng, ...values });
  };

  /** An error's values as its translation names them: a wait in words, lists joined. */
  const noticeValues = (params: Values = {}): Values => {
    const values: Values = {};
    for (const [name, value] of Object.entries(params))
      values[name] = Array.isArray(value)
        ? value.map((v) => (name === 'requireClasses' ? t(`phrases.${String(v)}`) : String(v))).join(', ')
        : value;
    const seconds = params.retryAfterSeconds;
    if (typeof seconds === 'number')
      values.wait =
        seconds < 60
          ? t('phrases.in_seconds', { count: seconds })
          : t('phrases.in_minutes', { count: Math.ceil(seconds / 60) });
    return values;
  };

  /** An error's translation (HTML, or plain text for a script), else its own text. */
  const noticeIn = (n: PageNotice, html: boolean): string =>
    i18n.exists(n.code, { lng, ns: 'errors' })
      ? i18n.t(n.code, {
          lng,
          ns: 'errors',
          ...noticeValues(n.params as Values | undefined),
          interpolation: { escapeValue: html },
        })
      : html
        ? escapeHtml(n.message)
        : n.message;

  return {
    language,
    t,
    /** The text of `key` when there is one (a scope, a note by name), else `fallback`, escaped. */
    tOr: (key: string, fallback: string): string => (i18n.exists(key, { lng }) ? t(key) : escapeHtml(fallback)),
    /** What a page says for an error: its translation, else (English, or a code no page expects) its own text. */
    notice: (n: PageNotice): string => noticeIn(n, true),
    /** The same as plain text, for a page's script (the passkey endpoints' JSON `message`). */
    noticeText: (n: PageNotice): string => noticeIn(n, false),
  };
}
export type PageText = ReturnType<typeof pageText>;
