import test from 'ava';
import { auditEvents } from '../helpers/audit.js';
import { Browser } from '../helpers/browser.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import { relyingParty } from '../helpers/rp.js';

/**
 * Mail templates (issue 13, section 5): every mail in the user's language, HTML and
 * text, changed per language by a super admin, previewed. The templates and the
 * default language are the whole server's: every test here runs alone and puts back what it changed.
 */
const s = adminServerPerFile(test, { LOCKOUT_MAX_ATTEMPTS: '3', LOCKOUT_MINUTES: '15' });
const superAdmin = signedInPerFile(test, s, 'super_admin');
const admin = signedInPerFile(test, s, 'admin');

interface OutboxMail {
  subject: string;
  text: string;
  html: string | null;
}

/** The newest mail to `email` whose subject matches, once it is there (some mails go after the answer). */
async function mailTo(email: string, subject: RegExp = /./): Promise<OutboxMail> {
  for (let i = 0; i < 200; i++) {
    const mail = (await s.server.repos.outbox.list(10, email)).find((m) => subject.test(m.subject));
    if (mail) return mail;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no mail to ${email} matching ${subject}`);
}

/** A user with this language (and name), through the admin API. */
async function userSpeaking(preferredLanguage: string | null, profile: Record<string, string | null> = {}) {
  const user = await s.server.createUser({ givenName: 'Lena', familyName: 'Berg' });
  const res = await admin.api('PATCH', `/users/${user.id}`, { preferredLanguage, ...profile });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return user;
}

const sendResetLink = async (userId: string) =>
  (await admin.api('POST', `/users/${userId}/password`, { sendLink: true })).status;

test.serial('a super admin lists the templates with their variables; nobody else may', async (t) => {
  const list = await superAdmin.api('GET', '/mail-templates');
  t.is(list.status, 200);
  t.deepEqual(list.body.languages, ['en', 'de', 'fr', 'es']);
  t.is(list.body.defaultLanguage, 'en');
  t.deepEqual(
    list.body.templates.map((x: { id: string }) => x.id),
    ['password_reset', 'invitation', 'approval', 'lock_notice', 'email_confirmation', 'account_exists', 'email_change'],
  );
  const reset = list.body.templates[0];
  t.deepEqual(Object.keys(reset.variables), ['name', 'link', 'minutes', 'product']);
  t.deepEqual(reset.customised, []);

  const refused = await admin.api('GET', '/mail-templates');
  t.is(refused.status, 403);
  t.is(refused.body.error, 'admin_api.forbidden');
  t.is((await admin.api('PUT', '/mail-templates/password_reset/en', { subject: 'x', text: 'y' })).status, 403);
  t.is((await admin.api('POST', '/mail-templates/password_reset/en/preview', {})).status, 403);

  for (const path of ['/mail-templates/nope/en', '/mail-templates/password_reset/it']) {
    const missing = await superAdmin.api('GET', path);
    t.is(missing.status, 404, path);
    t.is(missing.body.error, 'mail_template.not_found');
  }
});

test.serial("a German user's reset mail is German, HTML and text; a French locale gets French", async (t) => {
  const german = await userSpeaking('de-DE');
  t.is(await sendResetLink(german.id), 204);
  const mail = await mailTo(german.email);
  t.is(mail.subject, 'Ihr Passwort für Gatehouse zurücksetzen');
  t.regex(mail.text, /^Hallo Lena Berg,/);
  t.regex(mail.text, /innerhalb von 60 Minuten/);
  const link = /https?:\/\/\S+\/reset-password\?token=\S+/.exec(mail.text)![0];
  t.truthy(mail.html);
  t.true(mail.html!.includes('<html lang="de">'));
  t.true(mail.html!.includes(`<a href="${link}"`), 'the link is a link in the HTML part');
  t.true(mail.html!.includes('Öffnen Sie diesen Link'));

  const french = await userSpeaking(null, { locale: 'fr-CA' });
  t.is(await sendResetLink(french.id), 204);
  t.is((await mailTo(french.email)).subject, 'Réinitialisez votre mot de passe Gatehouse');
});

test.serial("the invitation goes in the user's language too", async (t) => {
  const spanish = await userSpeaking('es');
  t.is((await admin.api('POST', `/users/${spanish.id}/invitation`, {})).status, 200);
  const mail = await mailTo(spanish.email);
  t.is(mail.subject, 'Su invitación a Gatehouse');
  t.regex(mail.text, /en los próximos 7 días/);
  t.regex(mail.text, /reset-password\?token=/);
});

test.serial('without a shipped language the settings’ default language is used, else English', async (t) => {
  const silent = await userSpeaking(null);
  // A language stored before languages were validated (the API refuses "it" now).
  const italian = await userSpeaking(null);
  await s.server.db('users').where({ id: italian.id }).update({ preferred_language: 'it-IT' });
  for (const user of [silent, italian]) {
    t.is(await sendResetLink(user.id), 204);
    t.is((await mailTo(user.email)).subject, 'Reset your Gatehouse password');
  }

  t.is((await superAdmin.api('PUT', '/settings', { defaultLanguage: 'es' })).status, 200);
  try {
    t.is((await superAdmin.api('GET', '/mail-templates')).body.defaultLanguage, 'es');
    for (const user of [silent, italian]) {
      t.is(await sendResetLink(user.id), 204);
      t.is((await mailTo(user.email, /Restablezca/)).subject, 'Restablezca su contraseña de Gatehouse');
    }
    // The user's own language still wins over the default.
    const german = await userSpeaking('de');
    t.is(await sendResetLink(german.id), 204);
    t.is((await mailTo(german.email)).subject, 'Ihr Passwort für Gatehouse zurücksetzen');
  } finally {
    await superAdmin.api('PUT', '/settings', { defaultLanguage: 'en' });
  }
});

test.serial('an override is used for that language only, the preview shows it, and DELETE goes back', async (t) => {
  const shipped = await superAdmin.api('GET', '/mail-templates/password_reset/en');
  t.is(shipped.status, 200);
  t.like(shipped.body, { id: 'password_reset', language: 'en', customised: false, html: null, updatedAt: null });
  t.is(shipped.body.subject, 'Reset your {{product}} password');

  const override = {
    subject: 'ACME: new password for {{name}}',
    text: 'Dear {{name}},\n\nfollow {{link}} (valid {{minutes}} min).',
    html: '<h1 style="color:#c00">ACME</h1><p>Dear {{name}}, <a href="{{link}}">choose a password</a>.</p>',
  };
  const put = await superAdmin.api('PUT', '/mail-templates/password_reset/en', override);
  t.teardown(() => superAdmin.api('DELETE', '/mail-templates/password_reset/en'));
  t.is(put.status, 200, JSON.stringify(put.body));
  t.like(put.body, { ...override, customised: true });
  t.truthy(put.body.updatedAt);
  t.deepEqual((await superAdmin.api('GET', '/mail-templates')).body.templates[0].customised, ['en']);

  const event = await auditEvents(s.server, { action: 'mail_template.changed' }).orderBy('id', 'desc').first();
  t.is(event.target_id, 'password_reset/en');
  t.is(event.actor_id, superAdmin.id);
  t.deepEqual(event.changes.subject, ['Reset your {{product}} password', override.subject]);

  const preview = await superAdmin.api('POST', '/mail-templates/password_reset/en/preview', {});
  t.is(preview.status, 200);
  t.is(preview.body.subject, 'ACME: new password for Alex Example');
  t.regex(preview.body.text, /^Dear Alex Example,\n\nfollow https?:\/\/\S+ \(valid 60 min\)\.$/);
  t.true(preview.body.html.includes('<h1 style="color:#c00">ACME</h1>'));
  t.true(preview.body.html.startsWith('<!doctype html>'));

  const user = await userSpeaking('en-GB');
  t.is(await sendResetLink(user.id), 204);
  const mail = await mailTo(user.email);
  t.is(mail.subject, 'ACME: new password for Lena Berg');
  const link = /https?:\/\/\S+\/reset-password\?token=[^\s)]+/.exec(mail.text)![0];
  t.true(mail.html!.includes(`<a href="${link}">choose a password</a>`));
  // The link of the override works.
  t.is((await new Browser(s.server.url).open(link)).status, 200);

  // German users still get the shipped German mail.
  const german = await userSpeaking('de');
  t.is(await sendResetLink(german.id), 204);
  t.is((await mailTo(german.email)).subject, 'Ihr Passwort für Gatehouse zurücksetzen');

  t.is((await superAdmin.api('DELETE', '/mail-templates/password_reset/en')).status, 204);
  t.is((await superAdmin.api('DELETE', '/mail-templates/password_reset/en')).status, 204, 'going back twice is fine');
  t.is((await auditEvents(s.server, { action: 'mail_template.reset' })).length, 1);
  t.like((await superAdmin.api('GET', '/mail-templates/password_reset/en')).body, { customised: false });
  const back = await superAdmin.api('POST', '/mail-templates/password_reset/en/preview', {});
  t.is(back.body.subject, 'Reset your Gatehouse password');
});

test.serial('a draft is previewed without being stored, in the language asked for', async (t) => {
  const preview = await superAdmin.api('POST', '/mail-templates/lock_notice/fr/preview', {
    subject: 'Brouillon {{attempts}}',
  });
  t.is(preview.status, 200);
  t.is(preview.body.language, 'fr');
  t.is(preview.body.subject, 'Brouillon 5');
  t.regex(preview.body.text, /^Bonjour Alex Example,\n\nVotre compte a été verrouillé après 5 tentatives/);
  t.regex(preview.body.text, /Il se déverrouillera de lui-même le /);
  t.true(preview.body.html.includes('<html lang="fr">'));
  t.like((await superAdmin.api('GET', '/mail-templates/lock_notice/fr')).body, { customised: false });
});

test.serial('HTML in a value is escaped in the HTML part, whether the template is shipped or changed', async (t) => {
  const attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
  const user = await userSpeaking('en', { displayName: attack });
  t.is(await sendResetLink(user.id), 204);
  const shipped = await mailTo(user.email);
  t.regex(shipped.text, /^Hello <img src=x/, 'the text part is plain text, as written');
  t.false(shipped.html!.includes('<img'));
  t.false(shipped.html!.includes('<script>'));
  t.true(shipped.html!.includes('Hello &lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;'));

  const put = await superAdmin.api('PUT', '/mail-templates/password_reset/en', {
    subject: 'Hi {{name}}',
    text: 'Hi {{name}}: {{link}}',
    html: '<p title="{{name}}">Hi {{name}}</p><a href="{{link}}">link</a>',
  });
  t.is(put.status, 200);
  try {
    t.is(await sendResetLink(user.id), 204);
    const changed = await mailTo(user.email, /^Hi /);
    t.false(changed.html!.includes('<img'));
    t.false(changed.html!.includes('<script>'));
    t.true(changed.html!.includes('<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'));
  } finally {
    await superAdmin.api('DELETE', '/mail-templates/password_reset/en');
  }
});

test.serial('a template using a variable its mail does not provide is refused, and nothing is stored', async (t) => {
  const bodies = [
    { subject: 'Hi {{name}}', text: 'Your password is {{password}}' },
    { subject: '{{user.email}}', text: '{{link}}' },
    { subject: 'ok', text: '{{link}}', html: '<p>{{constructor}}</p>' },
    // The approval mail has no {{minutes}}.
    { subject: 'ok', text: '{{minutes}}' },
  ];
  const paths = ['password_reset/en', 'invitation/de', 'lock_notice/es', 'approval/fr'];
  for (const [i, body] of bodies.entries()) {
    const path = `/mail-templates/${paths[i]}`;
    const refused = await superAdmin.api('PUT', path, body);
    t.is(refused.status, 400, path);
    t.is(refused.body.error, 'mail_template.unknown_variable', path);
    t.truthy(refused.body.details.variables.length);
    t.true(Array.isArray(refused.body.details.allowed));
    t.like((await superAdmin.api('GET', path)).body, { customised: false });
    const preview = await superAdmin.api('POST', `${path}/preview`, body);
    t.is(preview.status, 400);
    t.is(preview.body.error, 'mail_template.unknown_variable');
  }
  const refused = await superAdmin.api('PUT', '/mail-templates/password_reset/en', bodies[0]);
  t.deepEqual(refused.body.details, { variables: ['password'], allowed: ['name', 'link', 'minutes', 'product'] });
  t.regex(refused.body.message, /\{\{password\}\}/);
  t.is((await superAdmin.api('PUT', '/mail-templates/password_reset/en', { subject: '', text: 'x' })).status, 400);
});

test.serial('a lock sends the user a lock notice in their language, saying when it ends', async (t) => {
  const rp = await relyingParty(s.server, await s.server.createClient());
  const user = await userSpeaking('de', { timezone: 'Europe/Berlin' });
  for (let i = 0; i < 3; i++) {
    const browser = new Browser(s.server.url);
    const form = await browser.open((await rp.authorizationUrl()).url.toString());
    await browser.submit(form, { username: user.email, password: 'not-the-password-1' }, '/login');
  }
  t.is((await s.server.db('users').where({ id: user.id }).first()).status, 'locked');
  const mail = await mailTo(user.email, /gesperrt/);
  t.is(mail.subject, 'Ihr Konto bei Gatehouse wurde gesperrt');
  t.regex(
    mail.text,
    /nach 3 fehlgeschlagenen Anmeldeversuchen gesperrt\. Die Sperre endet von selbst am \d+\. \S+ \d{4} um \d\d:\d\d (MEZ|MESZ)\./,
  );
  t.regex(mail.text, /\/forgot-password\n/);
  t.true(mail.html!.includes('<html lang="de">'));
});
