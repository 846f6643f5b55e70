import type { Context } from 'koa';
import type { z } from 'zod';
import { AppError } from '../../errors/app-error.js';

const LIMIT = 64 * 1024;

/** The request body as text; 413 past `limit` bytes. */
export async function readRaw(ctx: Context, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AppError('request.too_large', 413, 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An HTML form post (application/x-www-form-urlencoded) as a plain record of strings. */
export async function readForm(ctx: Context): Promise<Record<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw new AppError('request.unsupported_media_type', 415, 'Expected a form post.');
  return Object.fromEntries(new URLSearchParams(await readRaw(ctx, LIMIT)));
}

/**
 * A JSON body checked against `schema` (an empty body is `{}`): 415 unless JSON,
 * 400 `request.invalid_json`, then `invalid(issues)`, by default 400
 * `request.invalid_body` naming each issue.
 */
export async function readJson<T>(ctx: Context, schema: z.ZodType<T>, options: { limit?: number; invalid?: () => AppError } = {}): Promise<T> {
  if (!ctx.is('application/json')) throw new AppError('request.unsupported_media_type', 415, 'Send the body as application/json.');
  const raw = await readRaw(ctx, options.limit ?? LIMIT);
  let value: unknown;
  try {
    value = raw ? JSON.parse(raw) : {};
  } catch {
    throw new AppError('request.invalid_json', 400, 'The body is not valid JSON.');
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  if (options.invalid) throw options.invalid();
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new AppError('request.invalid_body', 400, issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; '), { issues });
}
