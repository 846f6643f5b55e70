import test from 'ava';
import {
  chooseMailLanguage,
  htmlFromText,
  renderHtml,
  renderMail,
  renderText,
  unknownVariables,
} from '../../src/policies/mail-template.js';

test('placeholders are replaced by values, nothing else is evaluated', (t) => {
  t.is(renderText('Hi {{name}}, {{ name }}!', { name: 'Ada' }), 'Hi Ada, Ada!');
  // No code, no lookups through objects, no prototype names: an unknown name renders empty.
  t.is(renderText('{{constructor}}{{__proto__}}{{toString}}', {}), '');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: JS template syntax in a mail template stays text
  t.is(renderText('{{ name.length }} <%= 1 + 1 %> ${1+1}', { name: 'Ada' }), '<%= 1 + 1 %> ${1+1}');
});

test('an empty value leaves no run of blank lines in the text', (t) => {
  t.is(renderText('Hello\n\n{{message}}\n\nBye', { message: '' }), 'Hello\n\nBye');
});

test('in the HTML part every value is escaped: markup in a name stays text', (t) => {
  const evil = '<img src=x onerror=alert(1)>"\'&';
  const html = renderHtml('<p>Hello {{name}}</p><a href="{{link}}">go</a>', {
    name: evil,
    link: 'https://x.example/"><script>alert(1)</script>',
  });
  t.false(html.includes('<img'));
  t.false(html.includes('<script>'));
  t.true(html.includes('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;'));
  t.true(html.includes('href="https://x.example/&quot;&gt;&lt;script&gt;'));
});

test('the HTML part of a text template: text escaped, paragraphs, the link as a link', (t) => {
  const html = htmlFromText('Hello {{name}} <b>\nline two\n\n{{link}}\n\n{{message}}', {
    name: '<i>Ada</i>',
    link: 'https://idp.example/reset-password?token=a&b',
    message: '',
  });
  t.is(
    html,
    '<p style="margin:0 0 16px 0">Hello &lt;i&gt;Ada&lt;/i&gt; &lt;b&gt;<br>\nline two</p>\n' +
      '<p style="margin:0 0 16px 0"><a href="https://idp.example/reset-password?token=a&amp;b" style="color:#1a56db;word-break:break-all">https://idp.example/reset-password?token=a&amp;b</a></p>',
  );
  // A link value that is not http(s) is never made a link.
  t.false(htmlFromText('{{link}}', { link: 'javascript:alert(1)' }).includes('<a'));
});

test('the whole mail: subject on one line, the body inside the layout, the language on <html>', (t) => {
  const mail = renderMail({ subject: 'Hi\n{{name}}', text: 'Body {{name}}', html: null }, { name: '<Ada>' }, 'de');
  t.is(mail.subject, 'Hi <Ada>');
  t.is(mail.text, 'Body <Ada>');
  t.true(mail.html.includes('<html lang="de">'));
  t.true(mail.html.includes('<title>Hi &lt;Ada&gt;</title>'));
  t.true(mail.html.includes('Body &lt;Ada&gt;'));
});

test('only the variables a mail provides may be used', (t) => {
  const allowed = ['name', 'link'];
  t.deepEqual(unknownVariables({ subject: '{{name}}', text: '{{ link }}', html: null }, allowed), []);
  t.deepEqual(
    unknownVariables({ subject: '{{password}}', text: '{{name}} {{user.email}}', html: '{{password}}{{}}' }, allowed),
    ['password', 'user.email', ''],
  );
});

test("the mail's language: the user's language, their locale, the default, else English", (t) => {
  t.is(chooseMailLanguage('de-AT', 'fr', 'es'), 'de');
  t.is(chooseMailLanguage('DE_ch'), 'de');
  t.is(chooseMailLanguage(null, 'fr-CA', 'es'), 'fr');
  t.is(chooseMailLanguage('it', undefined, 'es'), 'es');
  t.is(chooseMailLanguage('it', 'pt-BR', 'nl'), 'en');
  t.is(chooseMailLanguage(), 'en');
});
