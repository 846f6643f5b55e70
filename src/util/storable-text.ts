import { isUtf8 } from 'node:buffer';

/**
 * What PostgreSQL's text can hold: UTF-8 without NUL. A JavaScript string fails
 * when it holds U+0000 or a lone surrogate (half of a pair: the driver would
 * write it as U+FFFD, silently changing the value). Bytes fail when they are not
 * valid UTF-8 (surrogates encoded as bytes are invalid too) or hold a 0x00 byte.
 * Callers refuse such input at the edge with a 400, before it reaches a query.
 */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

export function isStorableBytes(bytes: Uint8Array): boolean {
  return !bytes.includes(0) && isUtf8(bytes);
}

/** An escape that can make decoded text unstorable: NUL, or a byte past ASCII (which must form UTF-8). */
const RISKY_ESCAPE = /%(?:00|[89a-f][0-9a-f])/i;

/**
 * Whether percent-encoded text (a URL, a query string, a form body) decodes to
 * storable text: each run of `%XX` escapes stands for bytes, which must be
 * storable together with the text around them. A `%` not followed by two hex
 * digits is kept as it is, as Node's query parser keeps it.
 */
export function isStorablePercentEncoded(text: string): boolean {
  if (!isStorableText(text)) return false;
  // Escapes of ASCII other than NUL decode to storable bytes whatever surrounds them.
  if (!RISKY_ESCAPE.test(text)) return true;
  const parts = text.split(/((?:%[0-9a-f]{2})+)/i);
  return isStorableBytes(
    Buffer.concat(
      parts.map((part, i) => (i % 2 ? Buffer.from(part.replaceAll('%', ''), 'hex') : Buffer.from(part, 'utf8'))),
    ),
  );
}

/**
 * Where in a parsed JSON value (or form record) a key or a string is first not
 * storable, as a dotted path (`''` for the value itself); undefined when all is.
 * Iterative: a deeply nested body does not overflow the stack.
 */
export function findUnstorable(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [item, path] = top;
    if (typeof item === 'string') {
      if (!isStorableText(item)) return path;
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        if (!isStorableText(key)) return path || '(a key)';
        stack.push([child, path ? `${path}.${key}` : key]);
      }
    }
  }
  return undefined;
}
