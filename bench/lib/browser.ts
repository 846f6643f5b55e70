/** HTTP as a browser does it, for the benches: cookies, redirects followed by hand, the sign-in page. */
import { createHash, randomBytes } from 'node:crypto';

/** Every request gives up after this long. */
const REQUEST_TIMEOUT_MS = 30_000;

let sent = 0;
/** HTTP requests sent so far (per-operation counts). */
export const requestsSent = () => sent;

export class Jar {
  private readonly cookies = new Map<string, string>();
  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.slice(0, line.indexOf(';') === -1 ? undefined : line.indexOf(';'));
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /;\s*max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export async function request(
  url: string,
  jar: Jar | undefined,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  sent++;
  const headers: Record<string, string> = { ...init.headers };
  if (jar) headers.cookie = jar.header();
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    body: init.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  jar?.store(res);
  return res;
}

/** Follows redirects while they stay on `origin`; returns the last response or where it left to. */
export async function follow(
  res: Response,
  from: string,
  jar: Jar,
  origin: string,
): Promise<{ res: Response; url: string; leftTo?: URL }> {
  let url = from;
  for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
    if (hops > 10) throw new Error('too many redirects');
    const next = new URL(res.headers.get('location') ?? '', url);
    await res.arrayBuffer();
    if (next.origin !== origin) return { res, url, leftTo: next };
    url = next.toString();
    res = await request(url, jar);
  }
  return { res, url };
}

const attr = (tag: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag)?.[1];
const decode = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/** An authorization request (code, PKCE S256) with `extra` parameters; its URL, state and verifier. */
export function authorizationRequest(
  client: { issuer: string; clientId: string; redirectUri: string; scope: string },
  extra: Record<string, string> = {},
) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const auth = new URL('/auth', client.issuer);
  auth.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope: client.scope,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return { url: auth.toString(), state, verifier };
}

/** /auth (PKCE) → the login page; returns the form's action and CSRF field, and the state and verifier sent. */
export async function openLoginPage(
  jar: Jar,
  client: { issuer: string; clientId: string; redirectUri: string; scope: string },
) {
  const { url: auth, state, verifier } = authorizationRequest(client);

  // /auth → /interaction/:uid (login page)
  const page = await follow(await request(auth, jar), auth, jar, client.issuer);
  const html = await page.res.text();
  if (page.leftTo || page.res.status !== 200)
    throw new Error(
      `expected the login page, got ${page.res.status} ${page.leftTo ?? page.url}: ${html.slice(0, 200)}`,
    );
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  const action = form && attr(form[1]!, 'action');
  const csrf = form && /<input\b[^>]*name="_csrf"[^>]*value="([^"]*)"/i.exec(form[2]!)?.[1];
  if (!action || !csrf) throw new Error(`no login form with a CSRF field on ${page.url}`);
  return { actionUrl: new URL(decode(action), page.url).toString(), csrf: decode(csrf), state, verifier };
}

/** Posts the sign-in form (its CSRF field) with `username` and `password`. */
export const postSignInForm = (
  jar: Jar,
  form: { actionUrl: string; csrf: string },
  username: string,
  password: string,
) =>
  request(form.actionUrl, jar, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: form.csrf, username, password }).toString(),
  });
