import type { Context, Next } from 'koa';
import { AppError } from '../../errors/app-error.js';
import { pageNotice } from '../../errors/codes.js';
import { invalidFilter, invalidValue, scimErrorBody } from '../../scim/errors.js';
import { findUnstorable, isStorablePercentEncoded } from '../../util/storable-text.js';
import type { Renderer } from '../render.js';
import { readRaw, unstorableInput } from './body.js';

/** Which part of the server a path belongs to: each answers errors in its own shape. */
export type Surface = 'page' | 'scim' | 'admin' | 'oidc';

/** oidc-provider's own limit on a request body (lib/shared/selective_body.js). */
const PROVIDER_BODY_LIMIT = 56 * 1024;

/**
 * Refuses, ahead of every route (oidc-provider's too), input that PostgreSQL
 * cannot store: in the URL (path and query, percent-decoded) for every request,
 * and in the bodies oidc-provider parses (forms and JSON). Gatehouse's own
 * routes check their bodies where they read them (middleware/body.ts).
 *
 * A provider body is read here, checked, and handed to the provider as
 * `ctx.request.body`, which its body parser takes in place of the stream.
 * Answers 400 (413 for a provider body past its limit) in the shape of the
 * surface: the admin API's `{ error: 'request.invalid_characters', message }`
 * (`details.parameter` names a query parameter), SCIM's error schema
 * (`invalidFilter` for `filter`, else `invalidValue`), the error page for pages,
 * and OAuth's `invalid_request` (an error page when a browser asks, as
 * oidc-provider's own error handler decides) for the provider.
 */
export function storableInput(deps: { surfaceOf: (path: string) => Surface; render: Renderer }) {
  const answer = (ctx: Context, error: AppError) => {
    const surface = deps.surfaceOf(ctx.path);
    ctx.set('Cache-Control', 'no-store');
    if (surface === 'admin') {
      ctx.status = error.status;
      ctx.body = { error: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
    } else if (surface === 'scim') {
      ctx.status = error.status;
      const inFilter = String(error.details?.parameter).toLowerCase() === 'filter';
      ctx.body = scimErrorBody(
        error.status !== 400 ? error : inFilter ? invalidFilter(error.message) : invalidValue(error.message),
      );
      ctx.type = 'application/scim+json; charset=utf-8';
    } else if (surface === 'page' || ctx.accepts('json', 'html') === 'html') {
      deps.render.page(
        ctx,
        'error',
        { message: pageNotice(error), code: surface === 'page' ? error.code : 'invalid_request' },
        error.status,
      );
    } else {
      ctx.status = error.status;
      ctx.body = { error: 'invalid_request', error_description: error.message };
    }
  };

  return async (ctx: Context, next: Next) => {
    try {
      if (!isStorablePercentEncoded(ctx.path)) throw unstorableInput('The path');
      const parameter = unstorableParameter(ctx.querystring);
      if (parameter !== undefined)
        throw unstorableInput(parameter ? `The query parameter "${parameter}"` : 'A query parameter name', {
          parameter,
        });
      if (deps.surfaceOf(ctx.path) === 'oidc') await checkProviderBody(ctx);
    } catch (err) {
      if (err instanceof AppError && err.expose) return answer(ctx, err);
      throw err;
    }
    await next();
  };
}

/** The name of the first query parameter holding what cannot be stored (`''` when it is a name). */
function unstorableParameter(querystring: string): string | undefined {
  if (isStorablePercentEncoded(querystring)) return undefined;
  for (const pair of querystring.split('&')) {
    const eq = pair.indexOf('=');
    const [name, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    if (!isStorablePercentEncoded(name)) return '';
    if (!isStorablePercentEncoded(value)) return decodeName(name);
  }
  return '';
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}

async function checkProviderBody(ctx: Context) {
  const type = ctx.is('application/x-www-form-urlencoded', 'application/json');
  if (!type) return;
  const raw = await readRaw(ctx, PROVIDER_BODY_LIMIT);
  (ctx.request as { body?: unknown }).body = raw;
  if (type === 'application/json') {
    if (findUnstorable(parseOrUndefined(raw)) !== undefined) throw unstorableInput('The body');
  } else if (!isStorablePercentEncoded(raw)) {
    throw unstorableInput('The body');
  }
}

/** Malformed JSON is the provider's to refuse. */
function parseOrUndefined(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
