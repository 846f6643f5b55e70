import type { ErrorKind, WayOn } from './view-models.js';

/**
 * What a person reads for an error that is not one of ours: a plain text by
 * oidc-provider's error name (`invalid_client` …) or by HTTP status, never the
 * library's own description (that is for developers and the log). The texts are
 * the pages' (`error.kinds.<kind>` in domain/page-strings-*.ts).
 */
const BY_ERROR: Record<string, ErrorKind> = {
  invalid_client: 'unknown_client',
  session_not_found: 'sign_in_expired',
  server_error: 'server',
  temporarily_unavailable: 'unavailable',
};

const BY_STATUS: Record<number, ErrorKind> = { 404: 'not_found', 405: 'wrong_method' };

/**
 * The kind of error page for `status` and, from oidc-provider, its error name;
 * `where` the request came from (an application's authorization request, or one
 * of Gatehouse's pages).
 */
export function plainError(status: number, error: string | undefined, where: 'authorization' | 'page'): ErrorKind {
  const known = (error && BY_ERROR[error]) || BY_STATUS[status];
  if (known) return known;
  if (status >= 500) return 'server';
  return where === 'authorization' ? 'request_refused' : 'failed';
}

/** The general way on: the person's own account page, reachable from anywhere. */
export const TO_ACCOUNT: WayOn = { href: '/account', label: 'to_account' };

/**
 * Where a person goes from an error in an application's sign-in: the address the
 * client registered for starting a sign-in (`initiate_login_uri`) or its home page
 * (`client_uri`), when it has one.
 */
export function backToClient(
  client: { clientName?: unknown; metadata(): Record<string, unknown> } | undefined,
): WayOn | undefined {
  if (!client) return undefined;
  const meta = client.metadata();
  const href = [meta.initiate_login_uri, meta.client_uri].find(
    (u): u is string => typeof u === 'string' && /^https?:/.test(u),
  );
  if (!href) return undefined;
  return typeof client.clientName === 'string'
    ? { href, label: 'back_to_client', client: client.clientName }
    : { href, label: 'back_to_application' };
}
