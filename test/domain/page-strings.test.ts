import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAGE_ERROR_CODES, PAGE_LANGUAGES, PAGE_STRINGS } from '../../src/domain/page-strings.js';
import { ERRORS } from '../../src/errors/codes.js';
import { pageText } from '../../src/http/page-text.js';

/** The pages' texts: every language complete, with the placeholders of English; every key a view uses exists. */

type Tree = { [key: string]: string | Tree };
/** key → text, the nested keys joined with dots. */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

const ENGLISH = flatten(PAGE_STRINGS.en.page as Tree);

for (const language of PAGE_LANGUAGES) {
  const texts = flatten(PAGE_STRINGS[language].page as Tree);

  test(`${language}: every key of English, with the same placeholders, and nothing else`, (t) => {
    t.deepEqual([...texts.keys()].sort(), [...ENGLISH.keys()].sort());
    for (const [key, english] of ENGLISH) {
      const text = texts.get(key) ?? '';
      t.truthy(text.trim(), `${language} ${key} is not empty`);
      t.deepEqual(placeholders(text), placeholders(english), `${language} ${key} names the values English names`);
    }
  });

  test(`${language}: texts are safe HTML (only strong, em and code; no double quote, they go into attributes)`, (t) => {
    const all = [...texts, ...Object.entries(PAGE_STRINGS[language].errors)];
    for (const [key, text] of all) {
      for (const tag of text.matchAll(/<\/?([a-z]+)[^>]*>/gi))
        t.true(['strong', 'em', 'code'].includes(tag[1]!.toLowerCase()), `${language} ${key}: <${tag[1]}>`);
      t.false(text.includes('"'), `${language} ${key} holds a double quote`);
    }
  });

  if (language !== 'en')
    test(`${language}: every error a page shows is translated, naming only the values it is given`, (t) => {
      const errors = PAGE_STRINGS[language].errors as Record<string, string>;
      t.deepEqual(Object.keys(errors).sort(), Object.keys(PAGE_ERROR_CODES).sort());
      for (const [code, values] of Object.entries(PAGE_ERROR_CODES))
        t.deepEqual(placeholders(errors[code] ?? ''), [...values].sort(), `${language} ${code}`);
    });

  if (language !== 'en')
    test(`${language}: translated, not English copied`, (t) => {
      const same = [...ENGLISH].filter(([key, english]) => texts.get(key) === english).map(([key]) => key);
      // A few words are the same in both (Passkeys, Name, Error: …).
      t.true(same.length <= 6, `${language} copies English in ${same.join(', ')}`);
    });
}

test('every page error is a code of the catalogue', (t) => {
  for (const code of Object.keys(PAGE_ERROR_CODES)) t.true(code in ERRORS, code);
});

/** The literal keys the views pass to it.t (dynamic ones go through it.tOr, with a fallback). */
function keysInViews(): { file: string; key: string }[] {
  const dir = join(import.meta.dirname, '../../views');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.eta'));
  return files.flatMap((file) =>
    [...readFileSync(join(dir, file), 'utf8').matchAll(/\bit\.t\(\s*'([^']+)'/g)].map((m) => ({ file, key: m[1]! })),
  );
}

test('every key a view uses exists in every language, and every view has its own title', (t) => {
  const used = keysInViews();
  t.true(used.length > 140, `found ${used.length} keys in the views`);
  const views = readdirSync(join(import.meta.dirname, '../../views'))
    .filter((f) => f.endsWith('.eta') && f !== 'layout.eta')
    .map((f) => f.replace(/\.eta$/, ''));
  for (const language of PAGE_LANGUAGES) {
    const text = pageText(language);
    for (const { file, key } of used)
      t.notThrows(() => text.t(key, { count: 2 }), `${language}: ${key} (views/${file})`);
    for (const view of views) t.notThrows(() => text.t(`titles.${view}`), `${language}: the title of ${view}`);
  }
});

test('a key missing in a language is an error, not English or the key itself', (t) => {
  t.throws(() => pageText('de').t('login.no_such_text'), { message: /login\.no_such_text is missing in de/ });
});

test('values are escaped, the texts are not; an error shows its translation, else its own text escaped', (t) => {
  const de = pageText('de');
  t.is(
    de.t('login.continue_to', { client: '<b>App</b>' }),
    'um mit <strong>&lt;b&gt;App&lt;/b&gt;</strong> fortzufahren',
  );
  t.is(
    de.notice({ code: 'rate_limit.exceeded', message: 'Too many', params: { retryAfterSeconds: 61 } }),
    'Zu viele Versuche. Bitte versuchen Sie es in 2 Minuten noch einmal.',
  );
  t.is(
    pageText('es').notice({
      code: 'password.missing_class',
      message: '-',
      params: { requireClasses: ['upper', 'digit'] },
    }),
    'La contraseña debe contener caracteres de estos tipos: mayúsculas, dígitos.',
  );
  t.is(de.notice({ code: 'admin_api.forbidden', message: 'Your role <x>' }), 'Your role &lt;x&gt;');
  t.is(pageText('en').notice({ code: 'login.locked', message: 'The catalogue’s text' }), 'The catalogue’s text');
});
