import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { AppError } from '../../errors/app-error.js';
import { fail } from '../../errors/codes.js';
import { findUnstorable, isStorableBytes, isStorablePercentEncoded } from '../../util/storable-text.js';

const LIMIT = 64 * 1024;

/** The one refusal of input PostgreSQL cannot store (util/storable-text.ts), wherever it came in. */
export const unstorableInput = (where: string, details?: { parameter: string }) =>
  fail('request.invalid_characters', { where, ...details });

/** The request body as text; 413 past `limit` bytes, 400 unless UTF-8 without NUL. */
export async function readRaw(ctx: Context, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw fail('request.too_large');
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  if (!isStorableBytes(body)) throw unstorableInput('The body');
  return body.toString('utf8');
}

/**
 * The request body written to a private temporary file first (413 past `limit` bytes):
 * the work that reads it (an import's transaction) then never waits on a slow client.
 * `open()` reads it back; `remove()` deletes it.
 */
export async function spoolBody(ctx: Context, limit: number): Promise<{ open(): Readable; remove(): Promise<void> }> {
  if (Number(ctx.get('content-length')) > limit) throw tooLarge(limit);
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-upload-'));
  const file = join(dir, 'body');
  const remove = () => rm(dir, { recursive: true, force: true });
  let size = 0;
  try {
    await pipeline(
      ctx.req,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          size += chunk.length;
          if (size > limit) throw tooLarge(limit);
          yield chunk;
        }
      },
      createWriteStream(file, { mode: 0o600 }),
    );
  } catch (err) {
    await remove();
    // The client went away mid-upload: its error. Anything else (a full disk) is the server's.
    if (CLIENT_GONE.has((err as { code?: string }).code ?? '')) throw fail('request.incomplete');
    throw err;
  }
  return { open: () => createReadStream(file), remove };
}

/** How a request body ends when its client goes away (aborted, reset): not the server's fault. */
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'ECONNABORTED']);
const tooLarge = (limit: number) => fail('request.too_large', { limitBytes: limit });

/** An HTML form post (application/x-www-form-urlencoded) as a plain record of strings; 413 past `limit` bytes. */
export async function readForm(ctx: Context, limit = LIMIT): Promise<Record<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw fail('request.unsupported_media_type', { expected: 'form' });
  const raw = await readRaw(ctx, limit);
  if (!isStorablePercentEncoded(raw)) throw unstorableInput('The form');
  return Object.fromEntries(new URLSearchParams(raw));
}

/**
 * A JSON body checked against `schema` (an empty body is `{}`): 415 unless JSON,
 * 400 `request.invalid_json`, then `invalid(issues)`, by default 400
 * `request.invalid_body` naming each issue.
 */
export async function readJson<T>(
  ctx: Context,
  schema: z.ZodType<T>,
  options: { limit?: number; invalid?: () => AppError } = {},
): Promise<T> {
  if (!ctx.is('application/json')) throw fail('request.unsupported_media_type', { expected: 'json' });
  const raw = await readRaw(ctx, options.limit ?? LIMIT);
  let value: unknown;
  try {
    value = raw ? JSON.parse(raw) : {};
  } catch {
    throw fail('request.invalid_json');
  }
  const unstorable = findUnstorable(value);
  if (unstorable !== undefined) throw unstorableInput(unstorable ? `"${unstorable}"` : 'The body');
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  if (options.invalid) throw options.invalid();
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw fail('request.invalid_body', { issues });
}
