import type { Context } from 'koa';
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
