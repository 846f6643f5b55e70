/** How a client authenticates at the token endpoints (RFC 7591 `token_endpoint_auth_method`), as discovery lists them. */
export const CLIENT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** A JSON Web Key Set of public keys (a `private_key_jwt` client's, given inline). */
export interface ClientJwks {
  keys: Record<string, unknown>[];
}

/** Why a client's authentication does not hold together (a `client.invalid` problem): policies/client-authentication.ts decides. */
export type ClientAuthProblem = 'auth_method' | 'needs_jwks' | 'jwks_not_used' | 'jwks_invalid';
