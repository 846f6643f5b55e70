import test from 'ava';
import { MAIL_STRINGS } from '../../src/domain/mail-strings.js';
import { MAIL_LANGUAGES, MAIL_TEMPLATE_IDS, mailVariables } from '../../src/domain/mail-templates.js';
import { renderMail, usedVariables } from '../../src/policies/mail-template.js';
import { mailPhrases, shippedMailTemplate } from '../../src/services/mail-templates.js';

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
      for (const v of usedVariables(parts.subject))
        t.true(mail.subject.includes(`«${v}-value»`), `${language} ${id} subject shows {{${v}}}`);
      for (const v of usedVariables(parts.text)) {
        t.true(mail.text.includes(`«${v}-value»`), `${language} ${id} text shows {{${v}}}`);
        t.true(mail.html.includes(`«${v}-value»`), `${language} ${id} html shows {{${v}}}`);
      }
      t.true(mail.html.startsWith('<!doctype html>'));
      t.true(mail.html.includes(`<html lang="${language}">`));
    }
    // The pieces the code fills variables with, interpolated in this language.
    for (const phrase of Object.values(MAIL_STRINGS[language].phrases)) t.truthy(phrase.trim());
    const say = mailPhrases(language);
    t.regex(say.lifetime(1800), /^30 \S+$/);
    t.regex(say.lifetime(86_400), /^24 \S+$/);
    t.not(say.lifetime(1800).split(' ')[1], say.lifetime(86_400).split(' ')[1]);
    t.regex(say.personalMessage('Sam Admin', '> Welcome!'), /^Sam Admin \S+( \S+)? ?:\n> Welcome!$/);
    t.is(say.personalMessage('Sam Admin', undefined), '');
    t.regex(say.unlock(new Date('2026-12-07T14:05:00Z'), 'UTC'), /2026.*14:05|02:05/);
    t.false(say.unlock(null, null).includes('{{'));
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
