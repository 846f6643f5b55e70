import test from 'ava';
import * as oidc from 'openid-client';
import { Browser, alertText, type Page } from '../helpers/browser.js';
import { perFile } from '../helpers/per-file.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD, serverPerFile } from '../helpers/server.js';

const server = serverPerFile(test);
const firstParty = perFile(test, () => server.createClient());
const thirdParty = perFile(test, () => server.createClient({ firstParty: false }));

/** The sign-in page of an authorization request, opened by a browser sending `headers`. */
async function signInPage(
  params: Record<string, string> = {},
  headers: Record<string, string> = {},
  client = firstParty,
) {
  const rp = await relyingParty(server, client);
  const auth = await rp.authorizationUrl(params);
  const browser = new Browser(server.url, headers);
  return { rp, auth, browser, page: await browser.open(auth.url.toString()) };
}

const heading = (page: Page) => /<h1>([^<]*)<\/h1>/.exec(page.html)?.[1];
const htmlLang = (page: Page) => /<html lang="([^"]+)">/.exec(page.html)?.[1];
const title = (page: Page) => /<title>([^<]*)<\/title>/.exec(page.html)?.[1];

const SIGN_IN: Array<[string, string]> = [
  ['en', 'Sign in'],
  ['de', 'Anmelden'],
  ['fr', 'Connexion'],
  ['es', 'Iniciar sesión'],
];
for (const [language, text] of SIGN_IN)
  test(`Accept-Language ${language}: the sign-in page speaks it, says so in <html lang>, and has its own title`, async (t) => {
    const { page } = await signInPage({}, { 'accept-language': `it;q=1, ${language}-XX;q=0.8, en;q=0.1` });
    t.is(page.status, 200);
    t.is(htmlLang(page), language);
    t.is(heading(page), text);
    t.is(title(page), `${text} · Gatehouse`);
    t.is(page.headers?.get('content-language'), language);
  });

test('without any hint the pages are English', async (t) => {
  const { page } = await signInPage();
  t.is(htmlLang(page), 'en');
  t.is(heading(page), 'Sign in');
});

test('ui_locales of the authorization request goes before Accept-Language', async (t) => {
  const { page } = await signInPage({ ui_locales: 'ja es fr' }, { 'accept-language': 'de' });
  t.is(htmlLang(page), 'es');
  t.is(heading(page), 'Iniciar sesión');
  const discovery = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
  t.deepEqual(discovery.ui_locales_supported, ['en', 'de', 'fr', 'es']);
});

test("once the user is known their language goes first: a refusal, then the consent page, in the user's", async (t) => {
  const user = await server.createUser();
  await server.db('users').where({ id: user.id }).update({ preferred_language: 'fr-CA' });
  const { browser, page } = await signInPage({ ui_locales: 'de' }, { 'accept-language': 'es' }, thirdParty);
  t.is(heading(page), 'Anmelden', 'who signs in is not known yet: ui_locales');
  const refused = await browser.submit(page, { username: user.email, password: 'wrong-password-000' }, '/login');
  t.is(refused.status, 401);
  t.is(alertText(refused.html), 'E-Mail-Adresse, Benutzer-ID oder Passwort ist falsch.');
  const consent = await browser.submit(refused, { username: user.email, password: PASSWORD }, '/login');
  t.is(consent.status, 200);
  t.is(htmlLang(consent), 'fr');
  t.is(heading(consent), 'Autoriser l’accès ?');
  t.regex(consent.html, /voir votre adresse e-mail/);
});

test('the language switcher works without script and keeps the sign-in going', async (t) => {
  const user = await server.createUser();
  const { rp, auth, browser, page } = await signInPage({}, { 'accept-language': 'en' });
  const links = [...page.html.matchAll(/<a href="([^"]+\?lang=(\w+))"/g)].map((m) => [m[2], m[1]]);
  t.deepEqual(
    links.map(([lang]) => lang),
    ['de', 'fr', 'es'],
    'every other language, the current one marked',
  );
  const spanish = await browser.open(Object.fromEntries(links).es!);
  t.is(heading(spanish), 'Iniciar sesión');
  t.is(browser.form(spanish, '/login').action, browser.form(page, '/login').action, 'the same interaction');
  // The choice stays with the browser: the refusal after it is Spanish too, over Accept-Language.
  const refused = await browser.submit(spanish, { username: user.email, password: 'wrong-password-000' }, '/login');
  t.is(htmlLang(refused), 'es');
  t.is(alertText(refused.html), 'El correo electrónico, el ID de usuario o la contraseña no son correctos.');
  const done = await browser.submit(refused, { username: user.email, password: PASSWORD }, '/login');
  const tokens = await rp.exchange(done, auth);
  t.truthy(tokens.id_token);
});

test('a refused form is answered in the language of the page', async (t) => {
  const { browser, page } = await signInPage({}, { 'accept-language': 'de' });
  const form = browser.form(page, '/login');
  const refused = await browser.open(new URL(form.action, page.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'x', password: 'y' }).toString(),
  });
  t.is(refused.status, 403);
  t.is(
    alertText(refused.html),
    'Dieses Formular ist abgelaufen. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.',
  );
  t.regex(refused.html, /Fehler: <code>csrf\.invalid<\/code>/);
});

test('locale is a claim of the profile scope, in the ID token and at userinfo: the language, else the locale', async (t) => {
  const reader = await server.createUser();
  await server.db('users').where({ id: reader.id }).update({ preferred_language: 'es-MX', locale: 'en-US' });
  const local = await server.createUser();
  await server.db('users').where({ id: local.id }).update({ preferred_language: null, locale: 'de-AT' });
  for (const [user, locale] of [
    [reader, 'es-MX'],
    [local, 'de-AT'],
  ] as const) {
    const rp = await relyingParty(server, firstParty);
    const { tokens } = await rp.signIn({ username: user.email, password: PASSWORD });
    t.is(tokens.claims()!.locale, locale);
    t.is((await oidc.fetchUserInfo(rp.config, tokens.access_token, user.id)).locale, locale);
  }
  const rp = await relyingParty(server, firstParty);
  const { tokens } = await rp.signIn({ username: reader.email, password: PASSWORD }, { scope: 'openid email' });
  t.is(tokens.claims()!.locale, undefined, 'not without the profile scope');
});

test("the passkey script's refusals come in the page's language too", async (t) => {
  const { browser, page } = await signInPage({}, { 'accept-language': 'fr' });
  const uid = /\/interaction\/([^/"]+)\/login/.exec(page.html)?.[1];
  const res = await browser.fetch(`/interaction/${uid}/passkey/options`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': 'forged' },
    body: '{}',
  });
  t.is(res.status, 403);
  t.deepEqual(await res.json(), {
    error: 'csrf.invalid',
    message: 'Ce formulaire a expiré. Revenez en arrière, rechargez la page et réessayez.',
  });
  t.regex(page.html, /data-msg-cancelled="La demande de clé d’accès a été annulée ou a expiré\."/);
});

test('the error pages, the lockout rule, "keep me signed in" and the show-password button speak the page language', async (t) => {
  const res = await fetch(
    `${server.url}/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=http://rp.test/callback`,
    { headers: { accept: 'text/html', 'accept-language': 'fr' } },
  );
  const html = await res.text();
  t.is(res.status, 400);
  t.regex(html, /<h1>Application inconnue<\/h1>/);
  t.regex(html, /<a href="\/account">Aller à votre compte<\/a>/);
  t.regex(html, /Référence : <code>/);

  const user = await server.createUser();
  const { browser, page } = await signInPage({}, { 'accept-language': 'de' });
  t.regex(page.html, /> Angemeldet bleiben<\/label>/);
  t.regex(page.html, /data-show="Anzeigen" data-hide="Verbergen"/);
  const refused = await browser.submit(page, { username: user.email, password: 'wrong-password-000' }, '/login');
  t.regex(refused.html, /Nach 5 falschen Passwörtern in Folge wird das Konto für 15 Minuten gesperrt\./);
});
