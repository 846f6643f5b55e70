import test from 'ava';
import { MAIL_STRINGS } from '../../src/domain/mail-strings.js';
import { MAIL_LANGUAGES, MAIL_TEMPLATE_IDS, mailVariables } from '../../src/domain/mail-templates.js';
import { renderMail, usedVariables } from '../../src/policies/mail-template.js';
import { shippedMailTemplate } from '../../src/services/mail-templates.js';

/** The shipped templates: every language complete, every one rendering with exactly the variables of English. */

const sample = (id: (typeof MAIL_TEMPLATE_IDS)[number]) =>
  Object.fromEntries(mailVariables(id).map((v) => [v, `«${v}-value»`]));

for (const language of MAIL_LANGUAGES) {
  test(`${language}: every template is there, renders with its variables substituted, and uses those of English`, (t) => {
    for (const id of MAIL_TEMPLATE_IDS) {
      const parts = shippedMailTemplate(id, language);
      t.truthy(parts.subject.trim(), `${language} ${id} subject`);
      t.truthy(parts.text.trim(), `${language} ${id} text`);
      const used = [...usedVariables(parts.subject), ...usedVariables(parts.text)];
      const english = shippedMailTemplate(id, 'en');
      t.deepEqual(
        [...new Set(used)].sort(),
        [...new Set([...usedVariables(english.subject), ...usedVariables(english.text)])].sort(),
        `${language} ${id} uses the variables of English`,
      );
      for (const v of used) t.true(mailVariables(id).includes(v), `${language} ${id}: {{${v}}} is provided`);

      const mail = renderMail(parts, sample(id), language);
      for (const part of [mail.subject, mail.text, mail.html]) t.false(part.includes('{{'), `${language} ${id}`);
      for (const v of used) {
        t.true(mail.text.includes(`«${v}-value»`), `${language} ${id} text shows {{${v}}}`);
        t.true(mail.html.includes(`«${v}-value»`), `${language} ${id} html shows {{${v}}}`);
      }
      t.true(mail.html.startsWith('<!doctype html>'));
      t.true(mail.html.includes(`<html lang="${language}">`));
    }
    // The sentences the lock notice is filled with.
    for (const phrase of Object.values(MAIL_STRINGS[language].phrases)) t.truthy(phrase.trim());
  });
}

test('the languages differ: no language is English copied', (t) => {
  for (const language of MAIL_LANGUAGES.filter((l) => l !== 'en'))
    for (const id of MAIL_TEMPLATE_IDS)
      t.not(shippedMailTemplate(id, language).text, shippedMailTemplate(id, 'en').text, `${language} ${id}`);
});

test('a key missing in a language is an error, not a silent fallback to English', (t) => {
  const strings = MAIL_STRINGS.fr.templates.approval as { subject: string; text?: string };
  const text = strings.text;
  delete strings.text;
  try {
    t.throws(() => shippedMailTemplate('approval', 'fr'), { message: /templates\.approval\.text is missing in fr/ });
  } finally {
    strings.text = text;
  }
});
