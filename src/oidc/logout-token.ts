import { randomUUID } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { LogoutNotice, SignLogout } from '../services/backchannel-logout.js';

/** The parts of oidc-provider's IdToken a logout token uses (not in its type declarations). */
type IdTokenLike = {
  mask: Record<string, unknown>;
  set(claim: string, value: unknown): void;
  issue(options: { use: 'logout' }): Promise<string>;
};
type IdTokenClass = new (claims: { sub: string }, options: { client: unknown; ctx: undefined }) => IdTokenLike;

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * Signs logout tokens as oidc-provider does (`Client#backchannelLogout`): an ID
 * token of the client (its signing algorithm, the issuer's keys), `use: logout`
 * (no nonce, `events` with the back-channel logout event), a fresh `jti`, `sub`,
 * and `sid` when the session's is known. `provider()` is the current provider,
 * so a token signed after a key rotation uses the new key.
 */
export function logoutTokenSigner(provider: () => Provider): SignLogout {
  return async (notice: LogoutNotice) => {
    const p = provider();
    const client = await p.Client.find(notice.clientId);
    const uri = client?.backchannelLogoutUri;
    if (!client || !uri) return undefined;
    const IdToken = (p as unknown as { IdToken: IdTokenClass }).IdToken;
    const token = new IdToken({ sub: notice.sub }, { client, ctx: undefined });
    token.mask = { sub: null };
    token.set('events', { [BACKCHANNEL_LOGOUT_EVENT]: {} });
    token.set('jti', randomUUID());
    if (notice.sid) token.set('sid', notice.sid);
    return { uri, token: await token.issue({ use: 'logout' }) };
  };
}
