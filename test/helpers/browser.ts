/**
 * A small test browser: keeps cookies, follows redirects within the server,
 * reads forms out of HTML and submits them as a person would. It stops at a
 * redirect that leaves the server (the client's redirect_uri) and reports it.
 */
export interface Page {
  url: string;
  status: number;
  html: string;
  /** Set when a redirect left the server: where it pointed. */
  leftTo?: URL;
  /** The last response's headers. */
  headers?: Headers;
}

export interface Form {
  action: string;
  method: string;
  fields: Record<string, string>;
}

export class Browser {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie line received, with its attributes (tests of cookie lifetimes). */
  readonly setCookies: string[] = [];
  /** `headers`: sent with every request (e.g. `x-forwarded-for` behind TRUST_PROXY). */
  constructor(
    readonly origin: string,
    readonly headers: Record<string, string> = {},
  ) {}

  private store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(new URL(url, this.origin), {
      ...init,
      redirect: 'manual',
      headers: { ...this.headers, ...(init.headers as Record<string, string>), cookie: this.cookieHeader() },
    });
    this.store(res);
    return res;
  }

  /** Loads a URL and follows redirects while they stay on the server. */
  async open(url: string, init: RequestInit = {}): Promise<Page> {
    let current = new URL(url, this.origin);
    let res = await this.fetch(current.toString(), init);
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 20) throw new Error('too many redirects');
      const next = new URL(res.headers.get('location')!, current);
      await res.arrayBuffer();
      if (next.origin !== new URL(this.origin).origin)
        return { url: current.toString(), status: res.status, html: '', leftTo: next };
      current = next;
      res = await this.fetch(current.toString());
    }
    return { url: current.toString(), status: res.status, html: await res.text(), headers: res.headers };
  }

  /** Reads the form whose action contains `actionPart` (or the first form). */
  form(page: Page, actionPart?: string): Form {
    const forms = [...page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
    const match = forms.find((f) => !actionPart || attr(f[1]!, 'action')?.includes(actionPart));
    if (!match)
      throw new Error(
        `no form${actionPart ? ` with action ~ ${actionPart}` : ''} on ${page.url}:\n${page.html.slice(0, 500)}`,
      );
    const fields: Record<string, string> = {};
    for (const input of match[2]!.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attr(input[1]!, 'name');
      if (name) fields[name] = decode(attr(input[1]!, 'value') ?? '');
    }
    return {
      action: decode(attr(match[1]!, 'action') ?? page.url),
      method: (attr(match[1]!, 'method') ?? 'get').toLowerCase(),
      fields,
    };
  }

  /** Fills and posts a form, then follows redirects. */
  async submit(page: Page, values: Record<string, string>, actionPart?: string): Promise<Page> {
    const form = this.form(page, actionPart);
    const body = new URLSearchParams({ ...form.fields, ...values });
    return this.open(new URL(form.action, page.url).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag)?.[1];
}

function decode(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** The text of the element with role="alert", if any. */
export function alertText(html: string): string | undefined {
  return /<div\b(?![^>]*\bhidden\b)[^>]*role="alert"[^>]*>([\s\S]*?)<\/div>/
    .exec(html)?.[1]
    ?.replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
