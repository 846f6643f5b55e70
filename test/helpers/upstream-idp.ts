import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { Browser, type Page } from './browser.js';

/** A person at the customer's identity provider: the claims it asserts of them. */
export interface UpstreamPerson {
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
  groups?: string[];
  /** How they signed in there (the ID token's `amr`). */
  amr?: string[];
}

/**
 * "The customer's identity provider": a real oidc-provider on its own port with
 * one confidential client (Gatehouse). Its sign-in page signs in at once the person
 * named by `login_hint` (else `signInAs`), and grants what was asked: the tests
 * drive Gatehouse, not this page. `rotateKeys()` swaps its signing key for a new one.
 */
export async function startUpstreamIdp(options: {
  redirectUris: string[];
  port?: number;
  /** The public keys of a second client, `gatehouse-pkjwt`, that authenticates with private_key_jwt. */
  privateKeyJwtKeys?: Record<string, unknown>[];
}) {
  const people = new Map<string, UpstreamPerson>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = { clientId: 'gatehouse', clientSecret: `upstream-secret-${randomUUID()}` };
  const state = { signInAs: undefined as string | undefined };

  const newKey = async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  };

  const build = (key: Record<string, unknown>) => {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: client.clientId,
          client_secret: client.clientSecret,
          redirect_uris: options.redirectUris,
          post_logout_redirect_uris: [],
        },
        ...(options.privateKeyJwtKeys
          ? [
              {
                client_id: 'gatehouse-pkjwt',
                token_endpoint_auth_method: 'private_key_jwt',
                jwks: { keys: options.privateKeyJwtKeys },
                redirect_uris: options.redirectUris,
              },
            ]
          : []),
      ] as never,
      jwks: { keys: [key] as never },
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
      claims: {
        openid: ['sub', 'amr', 'auth_time'],
        email: ['email', 'email_verified'],
        profile: ['given_name', 'family_name', 'groups'],
      },
      conformIdTokenClaims: false,
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      async findAccount(_ctx, sub) {
        const person = people.get(sub);
        if (!person) return undefined;
        const { amr: _amr, ...claims } = person;
        return { accountId: sub, claims: async () => ({ sub, ...claims }) };
      },
    });
    provider.use(async (ctx, next) => {
      const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
      if (!match) return next();
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      const sub = (details.params.login_hint as string | undefined) ?? state.signInAs;
      if (!sub || !people.has(sub)) {
        ctx.status = 403;
        ctx.body = 'no such person upstream';
        return;
      }
      const grant = new provider.Grant({ accountId: sub, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      const redirectTo = await provider.interactionResult(ctx.req, ctx.res, {
        login: { accountId: sub, amr: people.get(sub)?.amr ?? ['pwd'] },
        consent: { grantId },
      });
      ctx.redirect(redirectTo);
    });
    return provider;
  };

  let provider = build(await newKey());
  server.on('request', (req, res) => provider.callback()(req, res));

  return {
    issuer,
    ...client,
    state,
    /** Adds (or replaces) a person; their subject is `sub`. */
    person(sub: string, claims: UpstreamPerson) {
      people.set(sub, claims);
    },
    /** A new signing key (the old one is gone from its JWKS). */
    async rotateKeys() {
      provider = build(await newKey());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type UpstreamIdp = Awaited<ReturnType<typeof startUpstreamIdp>>;

/**
 * The browser's trip to the upstream and back: from a Gatehouse page that left for
 * the upstream (`page.leftTo`), through its sign-in, back to Gatehouse's callback,
 * and on until Gatehouse sends the browser on (to the client) or shows a page.
 */
export async function viaUpstream(gatehouse: Browser, page: Page): Promise<Page> {
  if (!page.leftTo)
    throw new Error(`expected a redirect to the upstream; got ${page.status}: ${page.html.slice(0, 300)}`);
  const upstream = new Browser(page.leftTo.origin);
  const back = await upstream.open(page.leftTo.toString());
  if (!back.leftTo)
    throw new Error(`the upstream did not send the browser back: ${back.status} ${back.html.slice(0, 300)}`);
  return gatehouse.open(back.leftTo.toString());
}
