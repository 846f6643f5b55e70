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
  const body = await readBytes(ctx.req, limit);
  if (!isStorableBytes(body)) throw unstorableInput('The body');
  return body.toString('utf8');
}

/** A stream's bytes, read with its events (no async iterator: this runs for every token request). */
function readBytes(stream: Readable, limit: number): Promise<Buffer> {
  if (stream.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error) => {
      stream.off('data', onData).off('end', onEnd).off('error', done).off('close', onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // The rest is left unread; the answer (413) closes the request.
        stream.pause();
        done(fail('request.too_large'));
      } else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onClose = () => done(new Error('the request was aborted before its body ended'));
    stream.on('data', onData).on('end', onEnd).on('error', done).on('close', onClose);
  });
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
