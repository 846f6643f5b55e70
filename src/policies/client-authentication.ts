import { CLIENT_AUTH_METHODS, type ClientAuthProblem, type ClientJwks } from '../domain/client-authentication.js';

/** Members of a JWK that hold a private or symmetric key: a client registers public keys only. */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const MAX_KEYS = 20;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const publicKey = (key: unknown) =>
  isRecord(key) && typeof key.kty === 'string' && SECRET_MEMBERS.every((member) => !(member in key));
const webUrl = (url: string) => URL.canParse(url) && ['https:', 'http:'].includes(new URL(url).protocol);

/**
 * A client's way to authenticate: one of the methods discovery lists. `private_key_jwt`
 * needs the client's public keys, either at a URL (`jwks_uri`, fetched and cached by
 * the server) or inline (`jwks`), never both; no other method takes keys. The secret
 * methods (`client_secret_*`, the JWT one signs with HS256 over the secret) and `none`
 * (public clients, PKCE) take none.
 */
export function clientAuthProblem(client: {
  authMethod: string;
  jwksUri?: string;
  jwks?: ClientJwks;
}): ClientAuthProblem | undefined {
  if (!(CLIENT_AUTH_METHODS as readonly string[]).includes(client.authMethod)) return 'auth_method';
  const given = Number(client.jwksUri !== undefined) + Number(client.jwks !== undefined);
  if (client.authMethod !== 'private_key_jwt') return given ? 'jwks_not_used' : undefined;
  if (given !== 1) return 'needs_jwks';
  if (client.jwksUri !== undefined) return webUrl(client.jwksUri) ? undefined : 'jwks_invalid';
  const keys = client.jwks?.keys;
  return Array.isArray(keys) && keys.length > 0 && keys.length <= MAX_KEYS && keys.every(publicKey)
    ? undefined
    : 'jwks_invalid';
}

/** Whether the method authenticates with the client's secret. */
export const usesSecret = (method: string): boolean => method.startsWith('client_secret_');
