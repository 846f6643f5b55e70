import test from 'ava';
import { get } from 'node:http';
import { execute } from '../../src/cli/execute.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { cliServices } from '../../src/container.js';
import { DEFAULT_BRANDING } from '../../src/domain/settings.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import { Browser, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD } from '../helpers/server.js';

/*
 * The customer's brand (settings `branding`) on every page and mail, and a
 * client's own name and logo on the sign-in and consent pages; the page CSP
 * still allows no inline style and only the logos' origins for images.
 */

const s = adminServerPerFile(test);
const superAdmin = signedInPerFile(test, s, 'super_admin');

const BRAND = {
  productName: 'Acme Identity',
  logoUrl: 'https://cdn.acme.example/logo.svg',
  primaryColour: '#ffcc00',
  supportUrl: 'https://help.acme.example/',
  termsUrl: 'https://acme.example/terms',
  privacyUrl: 'https://acme.example/privacy',
};
const DEFAULT = DEFAULT_BRANDING;

/** A conditional GET's status (fetch adds `Cache-Control: no-cache` to a request with If-None-Match, which always misses). */
const revalidate = (url: string, etag: string) =>
  new Promise<number>((resolve, reject) =>
    get(url, { headers: { 'if-none-match': etag } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject),
  );

const brand = (branding: object) => superAdmin.api('PUT', '/settings', { branding });
const title = (page: Page) => /<title>([^<]*)<\/title>/.exec(page.html)?.[1];
const csp = (page: Page) => page.headers?.get('content-security-policy') ?? '';

test.serial(
  'branding is validated: https URLs, a #rrggbb colour, a plain name; nothing is stored when refused',
  async (t) => {
    for (const bad of [
      { logoUrl: 'http://cdn.acme.example/logo.svg' },
      { supportUrl: 'javascript:alert(1)' },
      { termsUrl: 'https://user:pw@acme.example/terms' },
      { primaryColour: 'red' },
      { primaryColour: '#ffcc00;}body{display:none' },
      { productName: '' },
      { productName: '<script>' },
      { colour: '#000000' },
    ]) {
      const refused = await brand(bad);
      t.is(refused.status, 400, JSON.stringify(bad));
      t.is(refused.body.error, 'request.invalid_body');
    }
    t.deepEqual((await superAdmin.api('GET', '/settings')).body.branding, DEFAULT);
  },
);

test.serial('the brand on every page: name in each title, logo, colour by stylesheet, footer links, CSP', async (t) => {
  const set = await brand(BRAND);
  t.is(set.status, 200, JSON.stringify(set.body));
  t.deepEqual(set.body.branding, BRAND);
  t.teardown(() => brand(DEFAULT));

  const browser = new Browser(s.server.url);
  const forgot = await browser.open('/forgot-password');
  const expired = await browser.open('/reset-password?token=nonsense');
  t.is(title(forgot), 'Forgot your password? · Acme Identity');
  t.is(title(expired), 'We could not continue · Acme Identity');
  for (const page of [forgot, expired]) {
    t.true(page.html.includes(`<img src="${BRAND.logoUrl}" alt="Acme Identity">`));
    for (const link of [BRAND.supportUrl, BRAND.termsUrl, BRAND.privacyUrl])
      t.true(page.html.includes(`href="${link}"`));
    t.regex(csp(page), /img-src 'self' data: https:\/\/cdn\.acme\.example;/);
    t.regex(csp(page), /style-src 'self';/);
    t.false(/style=|<style/.test(page.html), 'no inline style');
  }

  // The colour: a stylesheet of our own origin, revalidated by its ETag; its URL changes with the colour.
  const href = /<link rel="stylesheet" href="(\/branding\.css\?v=[^"]+)">/.exec(forgot.html)?.[1];
  t.truthy(href);
  const css = await fetch(`${s.server.url}${href}`);
  t.is(css.status, 200);
  t.regex(css.headers.get('content-type') ?? '', /^text\/css/);
  const body = await css.text();
  t.regex(body, /--brand: #ffcc00;/);
  t.regex(body, /--brand-text: #000000;/, 'dark text on a light colour');
  const etag = css.headers.get('etag')!;
  t.is(await revalidate(`${s.server.url}/branding.css`, etag), 304);
  t.is((await brand({ primaryColour: '#123456' })).status, 200);
  t.is(await revalidate(`${s.server.url}/branding.css`, etag), 200, 'a new colour is a new ETag');
  t.regex(await (await fetch(`${s.server.url}/branding.css`)).text(), /--brand: #123456;\n {2}--brand-text: #ffffff;/);
  t.not(/branding\.css\?v=([^"]+)/.exec((await browser.open('/forgot-password')).html)?.[1], href!.split('v=')[1]);
});

test.serial('without branding: Gatehouse, no logo, no footer, the CSP of old', async (t) => {
  const page = await new Browser(s.server.url).open('/forgot-password');
  t.is(title(page), 'Forgot your password? · Gatehouse');
  t.false(page.html.includes('<img'));
  t.false(page.html.includes('<footer'));
  t.regex(csp(page), /img-src 'self' data:;/);
  t.regex(await (await fetch(`${s.server.url}/branding.css`)).text(), /^\/\* The default colours/);
});

test.serial(
  'mails wear the brand: the name in the subject, the logo and colour in the header, the links at the foot',
  async (t) => {
    t.is((await brand(BRAND)).status, 200);
    t.teardown(() => brand(DEFAULT));
    const user = await s.server.createUser({ givenName: 'Lena', familyName: 'Berg' });
    await s.server.db('users').where({ id: user.id }).update({ preferred_language: 'de' });
    t.is((await superAdmin.api('POST', `/users/${user.id}/password`, { sendLink: true })).status, 204);
    const [mail] = await s.server.repos.outbox.list(1, user.email);
    t.truthy(mail, 'the link is mailed before the answer');
    t.is(mail!.subject, 'Ihr Passwort für Acme Identity zurücksetzen');
    t.regex(
      mail!.text,
      /\n-- \nAcme Identity\nHilfe: https:\/\/help\.acme\.example\/\nNutzungsbedingungen: https:\/\/acme\.example\/terms/,
    );
    const html = mail!.html ?? '';
    t.true(html.includes(`<img src="${BRAND.logoUrl}" alt="Acme Identity"`));
    t.true(html.includes('background:#ffcc00'));
    t.true(html.includes(`<a href="${BRAND.privacyUrl}"`) && html.includes('>Datenschutz</a>'));
  },
);

test.serial(
  "a client's own name and logo on the sign-in and consent pages (admin API), its logo's origin in the CSP",
  async (t) => {
    const refused = await superAdmin.api('POST', '/clients', {
      clientId: 'shop',
      logoUri: 'http://shop.example/logo.png',
      redirectUris: ['http://rp.test/callback'],
    });
    t.is(refused.status, 400);
    t.is(refused.body.error, 'client.invalid');
    const made = await superAdmin.api('POST', '/clients', {
      clientId: 'shop',
      name: 'Corner Shop',
      logoUri: 'https://img.shop.example/logo.png',
      redirectUris: ['http://rp.test/callback'],
      grantTypes: ['authorization_code'],
    });
    t.is(made.status, 201, JSON.stringify(made.body));
    t.is(made.body.logo_uri, 'https://img.shop.example/logo.png');

    const user = await s.server.createUser();
    const rp = await relyingParty(s.server, {
      clientId: 'shop',
      clientSecret: made.body.client_secret,
      redirectUri: 'http://rp.test/callback',
    });
    const browser = new Browser(s.server.url);
    const signIn = await browser.open((await rp.authorizationUrl()).url.toString());
    const consent = await browser.submit(signIn, { username: user.email, password: PASSWORD }, '/login');
    t.regex(consent.html, /<h1>Allow access\?<\/h1>/);
    for (const page of [signIn, consent]) {
      t.true(page.html.includes('<img src="https://img.shop.example/logo.png" alt="Corner Shop">'));
      t.true(page.html.includes('<strong>Corner Shop</strong>'));
      t.regex(csp(page), /img-src 'self' data: https:\/\/img\.shop\.example;/);
    }

    t.is((await superAdmin.api('PATCH', '/clients/shop', { logoUri: null })).status, 200);
    const plain = await new Browser(s.server.url).open((await rp.authorizationUrl()).url.toString());
    t.false(plain.html.includes('img.shop.example'));
  },
);

test.serial('the CLI sets and clears a client logo', async (t) => {
  const gatehouse = (...argv: string[]) => execute(cliServices(s.server.container), argv);
  const bad = await gatehouse(
    'client',
    'create',
    '--client-id',
    'kiosk',
    '--redirect-uri',
    'http://rp.test/cb',
    '--logo-uri',
    'ftp://x/logo.png',
  );
  t.not(bad.code, EXIT.ok);
  const made = await gatehouse(
    'client',
    'create',
    '--client-id',
    'kiosk',
    '--name',
    'Kiosk',
    '--redirect-uri',
    'http://rp.test/cb',
    '--logo-uri',
    'https://kiosk.example/logo.png',
  );
  t.is(made.code, EXIT.ok, made.stderr);
  t.is(JSON.parse(made.stdout).logo_uri, 'https://kiosk.example/logo.png');
  const cleared = await gatehouse('client', 'update', 'kiosk', '--no-logo');
  t.is(cleared.code, EXIT.ok, cleared.stderr);
  t.is(JSON.parse(cleared.stdout).metadata.logo_uri, undefined);
});
