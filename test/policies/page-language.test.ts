import test from 'ava';
import { acceptedLanguages, choosePageLanguage } from '../../src/policies/page-language.js';

test('Accept-Language: by quality, then in order; q=0 and * left out', (t) => {
  t.deepEqual(acceptedLanguages('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5'), ['fr-CH', 'fr', 'en', 'de']);
  t.deepEqual(acceptedLanguages('de;q=0.5, es'), ['es', 'de']);
  t.deepEqual(acceptedLanguages('en;q=0, it'), ['it']);
  t.deepEqual(acceptedLanguages(''), []);
});

const CASES: Array<[string, Parameters<typeof choosePageLanguage>[0], string]> = [
  ['nothing known: English', {}, 'en'],
  ['the default language', { fallback: 'es' }, 'es'],
  ['Accept-Language over the default', { acceptLanguage: 'de-DE,de;q=0.9', fallback: 'es' }, 'de'],
  ['the first shipped one of Accept-Language', { acceptLanguage: 'it, pt;q=0.9, fr;q=0.5' }, 'fr'],
  ['ui_locales over Accept-Language', { uiLocales: 'fr-CA es', acceptLanguage: 'de' }, 'fr'],
  ['the first shipped one of ui_locales', { uiLocales: 'ja es', acceptLanguage: 'de' }, 'es'],
  ['the user over ui_locales', { user: ['es-MX', null], uiLocales: 'fr', acceptLanguage: 'de' }, 'es'],
  ['the user locale when their language is none of ours', { user: ['it', 'de-AT'], uiLocales: 'fr' }, 'de'],
  ['a user with neither: ui_locales', { user: [null, null], uiLocales: 'fr' }, 'fr'],
  ['the switcher over everything', { chosen: 'de', user: ['es'], uiLocales: 'fr', acceptLanguage: 'en' }, 'de'],
  ['nothing shipped anywhere: English', { user: ['ja'], uiLocales: 'zh', acceptLanguage: 'ko', fallback: 'xx' }, 'en'],
];
for (const [name, hints, expected] of CASES)
  test(`page language: ${name}`, (t) => {
    t.is(choosePageLanguage(hints) as string, expected);
  });
