import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { execute } from '../../src/cli/execute.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { cliServices } from '../../src/container.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';

/*
 * Every client authentication method discovery advertises can be registered, in
 * the admin API and the CLI, and authenticates at the token endpoint:
 * private_key_jwt (keys inline or at a jwks_uri) and client_secret_jwt (RFC 7523),
 * each signed here with jose as a client library would.
 */

// The JWKS server of this file listens on 127.0.0.1: the provider may fetch from a loopback address.
const s = adminServerPerFile(test, { OUTBOUND_ALLOW_PRIVATE: '1' });
const superAdmin = signedInPerFile(test, s, 'super_admin');
const gatehouse = (...argv: string[]) =>
  execute(cliServices(s.server.container), argv, { cwd: directory, progress: () => {} });

type KeyPair = { privateKey: CryptoKey; jwk: JWK };
let keys: KeyPair;
let otherKeys: KeyPair;
let directory: string;
let jwksServer: Server;
let jwksUrl: string;

async function keyPair(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

test.before(async () => {
  keys = await keyPair('client-key');
  otherKeys = await keyPair('someone-else');
  directory = await mkdtemp(join(tmpdir(), 'gatehouse-jwks-'));
  jwksServer = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [keys.jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
});
test.after.always(() => new Promise<void>((resolve) => jwksServer?.close(() => resolve())));

/** RFC 7523 client assertion: iss = sub = the client, aud = the token endpoint, a fresh jti. */
function assertion(clientId: string, key: CryptoKey | Uint8Array, alg: string) {
  return new SignJWT({})
    .setProtectedHeader({ alg })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(`${s.server.url}/token`)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(key);
}

/** A client-credentials token request, authenticated with `auth` (body parameters or an Authorization header). */
async function token(auth: { params?: Record<string, string>; authorization?: string }) {
  const res = await fetch(`${s.server.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(auth.authorization ? { authorization: auth.authorization } : {}),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...auth.params }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const withAssertion = async (clientId: string, key: CryptoKey | Uint8Array, alg: string) =>
  token({ params: { client_assertion_type: JWT_BEARER, client_assertion: await assertion(clientId, key, alg) } });
const withBasic = (clientId: string, secret: string) =>
  token({ authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` });
const secretKey = (secret: string) => new TextEncoder().encode(secret);

const register = (clientId: string, body: Record<string, unknown>) =>
  superAdmin.api('POST', '/clients', { clientId, grantTypes: ['client_credentials'], ...body });

test('discovery advertises client_secret_jwt and private_key_jwt', async (t) => {
  const doc = (await (await fetch(`${s.server.url}/.well-known/openid-configuration`)).json()) as Record<
    string,
    string[]
  >;
  t.true(doc.token_endpoint_auth_methods_supported!.includes('client_secret_jwt'));
  t.true(doc.token_endpoint_auth_methods_supported!.includes('private_key_jwt'));
});

test('admin API: a private_key_jwt client with inline keys authenticates with a signed assertion, and only so', async (t) => {
  const made = await register('signed-inline', {
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: { keys: [keys.jwk] },
  });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.is(made.body.client_secret, undefined, 'a private_key_jwt client gets no secret');
  t.is(made.body.token_endpoint_auth_method, 'private_key_jwt');
  t.false((await superAdmin.api('GET', '/clients/signed-inline')).body.hasSecret);

  const ok = await withAssertion('signed-inline', keys.privateKey, 'ES256');
  t.is(ok.status, 200, JSON.stringify(ok.body));
  t.truthy(ok.body.access_token);

  const forged = await withAssertion('signed-inline', otherKeys.privateKey, 'ES256');
  t.is(forged.status, 401);
  t.is(forged.body.error, 'invalid_client');
});

test('admin API: a private_key_jwt client with a jwks_uri: its keys are fetched from there', async (t) => {
  const made = await register('signed-remote', { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: jwksUrl });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.is(made.body.jwks_uri, jwksUrl);
  const ok = await withAssertion('signed-remote', keys.privateKey, 'ES256');
  t.is(ok.status, 200, JSON.stringify(ok.body));
  t.is((await withAssertion('signed-remote', otherKeys.privateKey, 'ES256')).status, 401);
});

test('admin API: a client_secret_jwt client signs with its secret (HS256); Basic with that secret is refused', async (t) => {
  const made = await register('hmac-signed', { tokenEndpointAuthMethod: 'client_secret_jwt' });
  t.is(made.status, 201, JSON.stringify(made.body));
  const secret = made.body.client_secret as string;
  t.truthy(secret);
  const ok = await withAssertion('hmac-signed', secretKey(secret), 'HS256');
  t.is(ok.status, 200, JSON.stringify(ok.body));
  t.is((await withAssertion('hmac-signed', secretKey(`${secret}x`), 'HS256')).status, 401);
  t.is((await withBasic('hmac-signed', secret)).status, 401, 'the registered method is the only one');
});

test('admin API: keys that do not fit the method are refused with client.invalid', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ tokenEndpointAuthMethod: 'private_key_jwt' }, /JWKS URL or a JWKS/],
    [{ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: jwksUrl, jwks: { keys: [keys.jwk] } }, /one of the two/],
    [{ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ ...keys.jwk, d: 'private' }] } }, /public keys/],
    [{ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'ftp://keys.example/jwks' }, /http\(s\) URL/],
    [{ tokenEndpointAuthMethod: 'client_secret_jwt', jwksUri: jwksUrl }, /Only a private_key_jwt client/],
    [{ isPublic: true, tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: jwksUrl }, /authentication method/],
  ];
  for (const [i, [body, message]] of cases.entries()) {
    const res = await register(`misfit-${i}`, body);
    t.is(res.status, 400, JSON.stringify(res.body));
    t.is(res.body.error, 'client.invalid');
    t.regex(res.body.message as string, message);
    t.is((await superAdmin.api('GET', `/clients/misfit-${i}`)).status, 404, 'nothing was written');
  }
  const unknown = await register('misfit-method', { tokenEndpointAuthMethod: 'tls_client_auth' });
  t.is(unknown.status, 400);
});

test('admin API: PATCH moves a client from its secret to keys and back; a public client stays public', async (t) => {
  const made = await register('moving', {});
  const secret = made.body.client_secret as string;
  t.is((await withBasic('moving', secret)).status, 200);

  const toKeys = await superAdmin.api('PATCH', '/clients/moving', {
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: { keys: [keys.jwk] },
  });
  t.is(toKeys.status, 200, JSON.stringify(toKeys.body));
  t.is(toKeys.body.metadata.token_endpoint_auth_method, 'private_key_jwt');
  t.is((await withAssertion('moving', keys.privateKey, 'ES256')).status, 200);
  t.is((await withBasic('moving', secret)).status, 401, 'the secret no longer authenticates');

  const rotated = await superAdmin.api('PATCH', '/clients/moving', { jwksUri: jwksUrl });
  t.is(rotated.status, 200, JSON.stringify(rotated.body));
  t.is(rotated.body.metadata.jwks, undefined, 'a jwks_uri replaces the inline keys');

  const back = await superAdmin.api('PATCH', '/clients/moving', { tokenEndpointAuthMethod: 'client_secret_post' });
  t.is(back.status, 200, JSON.stringify(back.body));
  t.is(back.body.metadata.jwks_uri, undefined, 'a secret method keeps no keys');
  const post = await token({ params: { client_id: 'moving', client_secret: secret } });
  t.is(post.status, 200, JSON.stringify(post.body));

  const keyOnly = await register('key-only', { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: jwksUrl });
  t.is(keyOnly.status, 201);
  const noSecret = await superAdmin.api('PATCH', '/clients/key-only', { tokenEndpointAuthMethod: 'client_secret_jwt' });
  t.is(noSecret.status, 400);
  t.regex(noSecret.body.message as string, /rotate its secret first/);

  const pub = await superAdmin.api('POST', '/clients', {
    clientId: 'spa',
    isPublic: true,
    redirectUris: ['https://spa.example/cb'],
  });
  t.is(pub.status, 201);
  const unpublic = await superAdmin.api('PATCH', '/clients/spa', { tokenEndpointAuthMethod: 'client_secret_basic' });
  t.is(unpublic.status, 400);
  t.regex(unpublic.body.message as string, /cannot become public or stop being public/);
});

/** `gatehouse client create --client-id ID --grant-types client_credentials --auth-method METHOD …` */
const createViaCli = (clientId: string, method: string, ...rest: string[]) =>
  gatehouse(
    'client',
    'create',
    '--client-id',
    clientId,
    '--grant-types',
    'client_credentials',
    '--auth-method',
    method,
    ...rest,
  );

test('CLI: client create --auth-method private_key_jwt with --jwks FILE or --jwks-uri, and client_secret_jwt', async (t) => {
  await writeFile(join(directory, 'keys.json'), JSON.stringify({ keys: [keys.jwk] }));
  const fromFile = await createViaCli('cli-signed-file', 'private_key_jwt', '--jwks', 'keys.json');
  t.is(fromFile.code, EXIT.ok, fromFile.stderr);
  t.is(JSON.parse(fromFile.stdout).client_secret, undefined);
  t.is((await withAssertion('cli-signed-file', keys.privateKey, 'ES256')).status, 200);

  const fromUrl = await createViaCli('cli-signed-url', 'private_key_jwt', '--jwks-uri', jwksUrl);
  t.is(fromUrl.code, EXIT.ok, fromUrl.stderr);
  t.is((await withAssertion('cli-signed-url', keys.privateKey, 'ES256')).status, 200);

  const hmac = await createViaCli('cli-hmac', 'client_secret_jwt');
  t.is(hmac.code, EXIT.ok, hmac.stderr);
  const secret = JSON.parse(hmac.stdout).client_secret as string;
  t.is((await withAssertion('cli-hmac', secretKey(secret), 'HS256')).status, 200);

  const missing = await createViaCli('cli-missing', 'private_key_jwt', '--jwks', 'no-such-file.json');
  t.not(missing.code, EXIT.ok);
  t.regex(missing.stderr, /no-such-file\.json/);
  const wrong = await createViaCli('cli-wrong', 'magic');
  t.not(wrong.code, EXIT.ok);
  t.regex(wrong.stderr, /--auth-method must be one of/);

  const updated = await gatehouse(
    'client',
    'update',
    'cli-hmac',
    '--auth-method',
    'private_key_jwt',
    '--jwks',
    'keys.json',
  );
  t.is(updated.code, EXIT.ok, updated.stderr);
  t.is((await withAssertion('cli-hmac', keys.privateKey, 'ES256')).status, 200);
});
