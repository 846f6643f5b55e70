import { InMemoryWebStorage, type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';

/**
 * The console is an OpenID Connect client of Gatehouse itself (authorization code with
 * PKCE, the built-in public client `gatehouse-console`). Tokens live in memory only: a
 * reload signs in again through Gatehouse's session, without a page when it is alive.
 * Only the request's state and PKCE verifier wait in sessionStorage during the redirect.
 */
const origin = window.location.origin;
export const ADMIN_API = `${origin}/admin/api`;
export const BASE = '/admin';

export const userManager = new UserManager({
  authority: origin,
  client_id: 'gatehouse-console',
  redirect_uri: `${origin}${BASE}/callback`,
  post_logout_redirect_uri: `${origin}${BASE}/`,
  response_type: 'code',
  // offline_access: a refresh token (rotated at each use) renews the access token silently.
  scope: 'openid profile email admin offline_access',
  extraQueryParams: { resource: ADMIN_API },
  extraTokenParams: { resource: ADMIN_API },
  userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
  stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
  automaticSilentRenew: true,
  loadUserInfo: false,
  monitorSession: false,
});

let current: User | null = null;
const listeners = new Set<() => void>();
let ended = false;

userManager.events.addUserLoaded((user) => {
  current = user;
  ended = false;
  notify();
});
userManager.events.addSilentRenewError(() => endSession());
userManager.events.addAccessTokenExpired(() => endSession());

function notify() {
  for (const listener of listeners) listener();
}

/** The signed-in administrator's tokens, or null before sign-in. */
export const currentUser = () => current;
export const sessionEnded = () => ended;

/** The session ended (the token was refused or could not be renewed): the page offers "Sign in again". */
export function endSession() {
  ended = true;
  notify();
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Back from Gatehouse's sign-in, or off to it; resolves with the path to show. */
export async function signIn(): Promise<string | undefined> {
  const { pathname, search } = window.location;
  if (pathname === `${BASE}/callback`) {
    const user = await userManager.signinRedirectCallback();
    current = user;
    const back = typeof user.state === 'string' && user.state.startsWith(`${BASE}/`) ? user.state : `${BASE}/`;
    window.history.replaceState(null, '', back);
    return back;
  }
  await userManager.signinRedirect({ state: `${pathname}${search}` });
  return undefined;
}

export const signInAgain = () =>
  userManager.signinRedirect({ state: `${window.location.pathname}${window.location.search}` });

export async function signOut() {
  const idToken = current?.id_token;
  current = null;
  await userManager.removeUser();
  await userManager.signoutRedirect({ id_token_hint: idToken });
}
