/**
 * Whether an error means "the database is not available right now" (as opposed to
 * a fault in a statement): the caller should answer 503 with Retry-After, never 500.
 *
 * - SQLSTATE class 08 (connection exception), 53300 (too many connections),
 *   57P01/57P02/57P03 (admin or crash shutdown, cannot connect now), 57014 (query
 *   cancelled: `statement_timeout`), 25P03 (idle-in-transaction timeout);
 * - the network refusing or dropping the connection (ECONNREFUSED, ECONNRESET, …);
 * - the client-side deadlines of `openDatabase`: knex's pool acquire timeout, pg's
 *   connect timeout and query read timeout, and pg's errors for a connection that
 *   ended under a query.
 *
 * Follows `cause` and AggregateError's `errors` (a host name with several addresses).
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (code.startsWith('08') && code.length === 5) return true;
  if (UNAVAILABLE_SQLSTATES.has(code) || NETWORK_CODES.has(code)) return true;
  if (e.name === 'KnexTimeoutError') return true;
  if (typeof e.message === 'string' && isClientMessage(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

const UNAVAILABLE_SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03', '57014', '25P03']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
/** pg's own errors (it sets no code on them); knex puts the statement before them (`<sql> - Query read timeout`). */
function isClientMessage(message: string): boolean {
  const at = message.lastIndexOf(' - ');
  return CLIENT_MESSAGES.has(message) || (at >= 0 && CLIENT_MESSAGES.has(message.slice(at + 3)));
}

const CLIENT_MESSAGES = new Set([
  'Query read timeout',
  'timeout expired',
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]);
