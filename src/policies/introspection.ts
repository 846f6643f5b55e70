/**
 * Who may introspect a token (RFC 7662): the client it was issued to, or the
 * client registered as the resource server (`resource_server`, an indicator) the
 * token is for (its `aud`). Anyone else learns nothing about it.
 */
export function mayIntrospect(
  caller: { clientId: string; resourceServer?: string | null },
  token: { clientId?: string; aud?: string | string[] },
): boolean {
  if (token.clientId === caller.clientId) return true;
  if (!caller.resourceServer || !token.aud) return false;
  return (Array.isArray(token.aud) ? token.aud : [token.aud]).includes(caller.resourceServer);
}
