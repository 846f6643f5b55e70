import type { ErrorView } from './view-models.js';

/** A link that gets the person on their way from an error page. */
export interface WayOn {
  href: string;
  label: string;
}

const RETRY_FROM_APP = 'Go back to the application and try again.';
const TELL_SUPPORT = 'If this keeps happening, tell its support team and quote the reference below.';

/**
 * What a person reads for an error that is not one of ours: a plain text by
 * oidc-provider's error name (`invalid_client` …) or by HTTP status, never the
 * library's own description (that is for developers and the log).
 */
const SERVER_ERROR = {
  heading: 'Something went wrong on our side',
  message:
    'Nothing is wrong with your account. Try again in a moment; if it keeps happening, contact support and quote the reference below.',
};

const BY_ERROR: Record<string, Pick<ErrorView, 'heading' | 'message'>> = {
  invalid_client: {
    heading: 'Unknown application',
    message: `The application that sent you here is not known to this sign-in service. ${RETRY_FROM_APP} ${TELL_SUPPORT}`,
  },
  session_not_found: {
    heading: 'Your sign-in has expired',
    message: 'For your security, a sign-in waits only for a while. Start again from your application.',
  },
  server_error: {
    heading: 'Something went wrong on our side',
    message:
      'Nothing is wrong with your account. Try again in a moment; if it keeps happening, contact support and quote the reference below.',
  },
  temporarily_unavailable: {
    heading: 'One moment, please',
    message: 'The sign-in service cannot answer right now. Try again in a moment.',
  },
};

const BY_STATUS: Record<number, Pick<ErrorView, 'heading' | 'message'>> = {
  404: {
    heading: 'Page not found',
    message: 'There is no page at this address. Check the link, or start again from your application.',
  },
  405: {
    heading: 'This page cannot be used this way',
    message: 'Start again from the page you came from.',
  },
};

/** Any other refusal: of an application's authorization request, or of a page's request. */
const REFUSED = {
  authorization: {
    heading: 'This sign-in request cannot be used',
    message: `The application that sent you here asked for something this sign-in service does not allow. ${RETRY_FROM_APP} ${TELL_SUPPORT}`,
  },
  page: {
    heading: 'We could not continue',
    message:
      'This page could not be used as it was sent. Start again; if this keeps happening, contact support and quote the reference below.',
  },
};

/**
 * The heading and text of an error page for `status` and, from oidc-provider, its
 * error name; `where` the request came from (an application's authorization
 * request, or one of Gatehouse's pages).
 */
export function plainError(
  status: number,
  error: string | undefined,
  where: 'authorization' | 'page',
): Pick<ErrorView, 'heading' | 'message'> {
  const known = (error && BY_ERROR[error]) || BY_STATUS[status];
  if (known) return known;
  return status >= 500 ? SERVER_ERROR : REFUSED[where];
}

/** The general way on: the person's own account page, reachable from anywhere. */
export const TO_ACCOUNT: WayOn = { href: '/account', label: 'Go to your account' };

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
  const name = typeof client.clientName === 'string' ? client.clientName : 'the application';
  return { href, label: `Back to ${name}` };
}
