import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { IdentityProvider, IdentityProviderType } from '../../domain/identity-provider.js';
import type { UpstreamIdentity } from '../../domain/upstream-identity.js';
import { AppError, assertThat } from '../../errors/app-error.js';
import { ERRORS, fail, noticeOf, pageNotice, type PageNotice } from '../../errors/codes.js';
import { RetryLater } from '../../errors/retry-later.js';
import type { FederatedSignInService } from '../../services/federated-sign-in.js';
import type { HomeRealmService } from '../../services/home-realm.js';
import { UpstreamRefusal, type UpstreamOidcService } from '../../services/upstream-oidc.js';
import type { FederationTransactions } from '../federation-transactions.js';
import type { Renderer } from '../render.js';
import { setRetryAfter } from '../retry-later.js';
import type { SignInInteractions } from '../sign-in.js';

/** Sends the browser to `provider` for the sign-in `interaction`: the URL to redirect to. */
export type UpstreamStart = (
  ctx: Context,
  provider: IdentityProvider,
  interaction: { uid: string; exp: number },
  loginHint?: string,
) => Promise<string>;

/**
 * The start of an upstream OpenID Connect sign-in: state, nonce and PKCE verifier
 * kept sealed in the browser (federation-transactions.ts), the authorization URL
 * with `login_hint`. (A SAML provider's start: services/upstream-saml.ts.)
 */
export function upstreamOidcStart(deps: {
  upstreamOidc: Pick<UpstreamOidcService, 'start'>;
  transactions: FederationTransactions;
}): UpstreamStart {
  return async (ctx, provider, interaction, loginHint) => {
    const { url, transaction } = await deps.upstreamOidc.start(provider, { loginHint }).catch((err) => {
      throw err instanceof UpstreamRefusal ? fail('federation.unreachable', { provider: provider.displayName }) : err;
    });
    deps.transactions.keep(ctx, {
      ...transaction,
      provider: provider.name,
      uid: interaction.uid,
      exp: interaction.exp,
    });
    return url.toString();
  };
}

/** The start of each kind of provider (`oidc` here; `saml` from the SAML side): one UpstreamStart. */
export function upstreamStart(byType: Partial<Record<IdentityProviderType, UpstreamStart>>): UpstreamStart {
  return (ctx, provider, interaction, loginHint) => {
    const start = byType[provider.type];
    assertThat(start, () => fail('federation.unknown_provider'));
    return start(ctx, provider, interaction, loginHint);
  };
}

/**
 * The end of an upstream sign-in (OIDC callback, SAML ACS): the sign-in waiting on
 * the interaction `uid` (found by the id the upstream's answer is bound to, not by a
 * cookie), finished through the federated sign-in: the browser goes to the next step
 * or back to the client, or a plain page says why not, with the way back.
 */
export function federatedCompletion(deps: {
  provider: () => Provider;
  interactions: SignInInteractions;
  federatedSignIn: Pick<FederatedSignInService, 'signIn'>;
  render: Renderer;
}) {
  /** The plain page of a refused upstream answer, with the way back to the sign-in; `detail`: the upstream's own words. */
  const refusedPage = (ctx: Context, uid: string, refusal: PageNotice, status: number, detail?: string) =>
    deps.render.page(ctx, 'federation-refused', { refusal, detail, back: `/interaction/${uid}` }, status);

  return {
    refusedPage,

    /** The interaction `uid`, while it waits for the person to sign in. */
    async waiting(uid: string) {
      const interaction = await deps.provider().Interaction.find(uid);
      assertThat(interaction?.prompt.name === 'login', () => fail('federation.no_sign_in'));
      return interaction;
    },

    async finish(
      ctx: Context,
      interaction: Parameters<SignInInteractions['portOf']>[1],
      provider: IdentityProvider,
      identity: UpstreamIdentity,
    ) {
      const refused = (refusal: PageNotice, status: number) => refusedPage(ctx, interaction.uid, refusal, status);
      try {
        const outcome = await deps.federatedSignIn.signIn(
          deps.interactions.portOf(ctx, interaction),
          provider,
          identity,
        );
        if (!outcome.ok) return refused(noticeOf(outcome.code), ERRORS[outcome.code].status);
        ctx.status = 303;
        ctx.redirect(deps.interactions.location(interaction, outcome.next));
      } catch (err) {
        // A status, expiry or licence refusal, or the throttle: told plainly, with the way back.
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        if (err instanceof RetryLater) setRetryAfter(ctx, err);
        return refused(pageNotice(err), err.status);
      }
    },
  };
}

/**
 * Sign-in through an organisation's identity provider:
 *   GET /federation/:name/start?interaction=UID  → /interaction/:uid/federation/:name (where the browser's
 *                                            interaction cookie is sent: a sign-in is started only by its own browser)
 *   GET /interaction/:uid/federation/:name   "Continue with …": to the provider (the browser must hold the interaction)
 *   GET /federation/:name/callback           the upstream's answer (OIDC): validated, linked, signed in
 *                                            (SAML's answer comes to /federation/:name/acs: routes/federation-saml.ts)
 *   GET /federation/:name/logout             RP-initiated logout at the upstream, where it offers one
 * The sign-in page's form also starts it (home-realm discovery: routes/interaction.ts).
 */
export function federationRoutes(deps: {
  provider: () => Provider;
  interactions: SignInInteractions;
  homeRealm: Pick<HomeRealmService, 'enabled'>;
  upstreamOidc: Pick<UpstreamOidcService, 'callback' | 'endSessionUrl'>;
  federatedSignIn: Pick<FederatedSignInService, 'signIn' | 'refused'>;
  transactions: FederationTransactions;
  start: UpstreamStart;
  issuer: string;
  render: Renderer;
}) {
  const router = new Router();
  const completion = federatedCompletion(deps);
  const enabledProvider = async (name: string) => {
    const provider = await deps.homeRealm.enabled(name);
    assertThat(provider, () => fail('federation.unknown_provider'));
    return provider;
  };

  router.get('/interaction/:uid/federation/:name', async (ctx) => {
    const interaction = await deps.interactions.details(ctx);
    if (interaction.prompt.name !== 'login') throw fail('interaction.wrong_step');
    const provider = await enabledProvider(ctx.params.name as string);
    ctx.status = 303;
    ctx.redirect(await deps.start(ctx, provider, interaction));
  });

  router.get('/federation/:name/start', async (ctx) => {
    const uid = String(ctx.query.interaction ?? '');
    assertThat(/^[\w-]{1,64}$/.test(uid), () => fail('federation.no_sign_in'));
    ctx.redirect(`/interaction/${uid}/federation/${encodeURIComponent(ctx.params.name as string)}`);
  });

  router.get('/federation/:name/callback', async (ctx) => {
    const name = ctx.params.name as string;
    const provider = await enabledProvider(name);
    const transaction = deps.transactions.take(ctx, name);
    assertThat(transaction, () => fail('federation.no_sign_in'));
    const interaction = await completion.waiting(transaction.uid);
    const port = deps.interactions.portOf(ctx, interaction);
    // The URL the upstream sent the browser to, as registered there (not as a proxy may have rewritten it).
    const current = new URL(`${deps.issuer}/federation/${name}/callback?${ctx.querystring}`);
    let identity: Awaited<ReturnType<typeof deps.upstreamOidc.callback>>;
    try {
      identity = await deps.upstreamOidc.callback(provider, current, transaction);
    } catch (err) {
      if (!(err instanceof UpstreamRefusal)) throw err;
      await deps.federatedSignIn.refused(port, provider, err.reason);
      const code = err.reason === 'upstream_error' ? 'login.upstream_refused' : 'login.upstream_invalid';
      return completion.refusedPage(
        ctx,
        interaction.uid,
        noticeOf(code),
        err.reason === 'upstream_error' ? 401 : 400,
        err.message,
      );
    }
    await completion.finish(ctx, interaction, provider, identity);
  });

  router.get('/federation/:name/logout', async (ctx) => {
    const provider = await enabledProvider(ctx.params.name as string);
    const url = provider.type === 'oidc' ? await deps.upstreamOidc.endSessionUrl(provider) : undefined;
    assertThat(url, () => fail('federation.unknown_provider'));
    ctx.redirect(url.toString());
  });

  return router;
}
