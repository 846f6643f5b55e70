import { FALLBACK_LANGUAGE, type MailLanguage } from '../domain/mail-templates.js';
import { mailLanguageOf } from './mail-template.js';

/** What a page's language is chosen from, strongest first (each may be missing). */
export interface LanguageHints {
  /** The browser's choice in the language switcher (`?lang=`, then its cookie). */
  chosen?: string;
  /** The user's own languages when the page knows who they are: preferredLanguage, then locale. */
  user?: readonly (string | null | undefined)[];
  /** `ui_locales` of the authorization request: space-separated tags, preferred first. */
  uiLocales?: string;
  /** The browser's Accept-Language header. */
  acceptLanguage?: string;
  /** The settings' default language. */
  fallback?: string;
}

/** The tags of an Accept-Language header, by quality (q=0 left out), then in their order. */
export function acceptedLanguages(header: string): string[] {
  return header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((l) => l.tag && l.tag !== '*' && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((l) => l.tag);
}

/**
 * The shipped language a page speaks: the switcher's choice, else the user's
 * language (when known), else the first shipped one of `ui_locales`, else of
 * Accept-Language, else the default, else English.
 */
export function choosePageLanguage(hints: LanguageHints): MailLanguage {
  const candidates = [
    hints.chosen,
    ...(hints.user ?? []),
    ...(hints.uiLocales ?? '').split(' '),
    ...acceptedLanguages(hints.acceptLanguage ?? ''),
    hints.fallback,
  ];
  for (const candidate of candidates) {
    const language = mailLanguageOf(candidate);
    if (language) return language;
  }
  return FALLBACK_LANGUAGE;
}
