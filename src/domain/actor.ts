/** Who did something, as the audit names them: a person (or an admin acting as one), a token, a client, the CLI. */
export interface Actor {
  type: 'user' | 'scim_token' | 'client' | 'cli' | 'system' | 'anonymous';
  id?: string | null;
  name?: string | null;
  onBehalfOf?: string | null;
}
