import { HEX_COLOUR } from '../domain/settings.js';
import { textColourOn } from './text-colour.js';
import {
  DEFAULT_MAIL_BRAND,
  FALLBACK_LANGUAGE,
  type MailBrand,
  isMailLanguage,
  type MailLanguage,
  type MailTemplateParts,
  type RenderedMail,
} from '../domain/mail-templates.js';

/**
 * Logic-less mail templates: `{{name}}` is replaced by the value of `name`, and
 * that is all a template can do (no code, no conditions, no partials), so an
 * administrator's edit can never run anything. In the HTML part every value is
 * HTML-escaped; a template made only of text gets its HTML part from the text.
 */

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The variable names a template uses, in order of first use. */
export function usedVariables(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/** The variables of `parts` that are not among `allowed` (empty when the template is fine). */
export function unknownVariables(parts: MailTemplateParts, allowed: readonly string[]): string[] {
  const used = [parts.subject, parts.text, parts.html ?? ''].flatMap(usedVariables);
  return [...new Set(used.filter((name) => !allowed.includes(name)))];
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Replaces each placeholder by `value(name)`, and each piece of text between them by `literal(text)`. */
function substitute(template: string, value: (name: string) => string, literal: (text: string) => string): string {
  let out = '';
  let at = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    out += literal(template.slice(at, m.index)) + value(m[1] ?? '');
    at = m.index + m[0].length;
  }
  return out + literal(template.slice(at));
}

const lookup = (values: Readonly<Record<string, string>>) => (name: string) =>
  Object.hasOwn(values, name) ? (values[name] ?? '') : '';

/** The text part: values as they are; an empty value leaves no run of blank lines behind. */
export function renderText(template: string, values: Readonly<Record<string, string>>): string {
  return substitute(template, lookup(values), (t) => t)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The subject: one line. */
export function renderSubject(template: string, values: Readonly<Record<string, string>>): string {
  return renderText(template, values).replace(/\s+/g, ' ');
}

/** An administrator's HTML: their markup as written, every value escaped. */
export function renderHtml(template: string, values: Readonly<Record<string, string>>): string {
  return substitute(
    template,
    (name) => escapeHtml(lookup(values)(name)),
    (t) => t,
  );
}

const LINK_STYLE = 'color:#1a56db;word-break:break-all';
const PARAGRAPH_STYLE = 'margin:0 0 16px 0';

/**
 * The HTML part of a text template: the text escaped, blank-line separated
 * paragraphs as `<p>`, line breaks as `<br>`, and the `link` variable (an http(s) URL) as a link.
 */
export function htmlFromText(template: string, values: Readonly<Record<string, string>>): string {
  const value = lookup(values);
  const body = substitute(
    template,
    (name) => {
      const v = value(name);
      return name === 'link' && /^https?:\/\//.test(v)
        ? `<a href="${escapeHtml(v)}" style="${LINK_STYLE}">${escapeHtml(v)}</a>`
        : escapeHtml(v);
    },
    escapeHtml,
  );
  return body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p style="${PARAGRAPH_STYLE}">${p.replace(/\s*\n\s*/g, '<br>\n')}</p>`)
    .join('\n');
}

/** The header of the HTML layout: the logo, else the product name, on the brand colour (in black or white) when it has one. */
function mailHeader(brand: MailBrand): string {
  const name = escapeHtml(brand.productName);
  const colour = brand.primaryColour;
  const bar = colour && HEX_COLOUR.test(colour) ? `background:${colour};color:${textColourOn(colour)};` : '';
  const content = brand.logoUrl
    ? `<img src="${escapeHtml(brand.logoUrl)}" alt="${name}" height="40" style="display:block;height:40px;max-width:100%;border:0">`
    : name;
  return `<tr><td style="padding:20px 32px;border-bottom:1px solid #e5e7eb;font-size:18px;font-weight:600;${bar}">${content}</td></tr>`;
}

/** The foot of the HTML layout: the brand's links (none: no foot). */
function mailFooter(brand: MailBrand): string {
  if (!brand.links.length) return '';
  const links = brand.links
    .map((l) => `<a href="${escapeHtml(l.url)}" style="${LINK_STYLE}">${escapeHtml(l.label)}</a>`)
    .join(' · ');
  return `<tr><td style="padding:12px 32px 20px 32px;border-top:1px solid #e5e7eb;font-size:13px;color:#6b7280">${links}</td></tr>`;
}

/** The foot of the text part: the product name and the brand's links (none: nothing added). */
function textFooter(brand: MailBrand): string {
  if (!brand.links.length) return '';
  const lines = brand.links.map((l) => `${l.label}: ${l.url}`);
  return `\n\n-- \n${[brand.productName, ...lines].join('\n')}`;
}

/** The one layout of every HTML mail (inline styles: mail clients ignore style sheets). */
export function mailLayout(
  body: string,
  subject: string,
  language: MailLanguage,
  brand: MailBrand = DEFAULT_MAIL_BRAND,
): string {
  return `<!doctype html>
<html lang="${language}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border:1px solid #e5e7eb;border-radius:8px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#111827">
${mailHeader(brand)}
<tr><td style="padding:24px 32px 8px 32px">
${body}
</td></tr>
${mailFooter(brand)}
</table>
</td></tr>
</table>
</body>
</html>
`;
}

/** A template rendered with its values: subject, text, and the HTML part in the layout. */
export function renderMail(
  parts: MailTemplateParts,
  values: Readonly<Record<string, string>>,
  language: MailLanguage,
  brand: MailBrand = DEFAULT_MAIL_BRAND,
): RenderedMail {
  const subject = renderSubject(parts.subject, values);
  const body = parts.html === null ? htmlFromText(parts.text, values) : renderHtml(parts.html, values);
  return {
    subject,
    text: renderText(parts.text, values) + textFooter(brand),
    html: mailLayout(body, subject, language, brand),
  };
}

/** `de-AT`, `de_AT`, `DE` → `de` when shipped; otherwise undefined. */
export function mailLanguageOf(tag: string | null | undefined): MailLanguage | undefined {
  const primary = tag?.trim().split(/[-_]/)[0]?.toLowerCase();
  return isMailLanguage(primary) ? primary : undefined;
}

/** The first shipped language among the candidates (the user's language, their locale, the default), else English. */
export function chooseMailLanguage(...candidates: (string | null | undefined)[]): MailLanguage {
  for (const c of candidates) {
    const language = mailLanguageOf(c);
    if (language) return language;
  }
  return FALLBACK_LANGUAGE;
}
