import compose from 'koa-compose';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Middleware, Next } from 'koa';
import type { Container } from './container.js';
import { createCsrf } from './http/middleware/csrf.js';
import { pageErrors } from './http/middleware/page-errors.js';
import { databaseUnavailable } from './http/middleware/database-unavailable.js';
import { requestLog } from './http/middleware/request-log.js';
import { requestId } from './http/middleware/request-id.js';
import { requestMetrics } from './http/middleware/request-metrics.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { securityHeaders } from './http/middleware/security-headers.js';
import { clientAuthThrottle } from './http/middleware/rate-limit.js';
import { storableInput, type Surface } from './http/middleware/storable-input.js';
import { createRenderer } from './http/render.js';
import { routerMiddleware } from './http/router-middleware.js';
import { impersonationState } from './http/middleware/impersonation-state.js';
import { ADMIN_API_PREFIX, adminApi } from './http/routes/admin-api.js';
import { adminRoutes } from './http/routes/admin/index.js';
import { impersonationRoutes } from './http/routes/impersonation.js';
import { createImpersonationSessions } from './oidc/impersonation-session.js';
import { selfServiceRoutes } from './http/routes/self-service.js';
import { assetRoutes } from './http/routes/assets.js';
import { brandingRoutes } from './http/routes/branding.js';
import { languageSwitch } from './http/page-language.js';
import { consoleRoutes } from './http/routes/console.js';
import { healthRoutes } from './http/routes/health.js';
import { interactionRoutes } from './http/routes/interaction.js';
import { passkeyRoutes } from './http/routes/passkeys.js';
import { passwordResetRoutes } from './http/routes/password-reset.js';
import { signUpRoutes } from './http/routes/sign-up.js';
import { SCIM_PREFIX, scimApi } from './http/routes/scim.js';
import { createReloadableProvider } from './oidc/reloadable-provider.js';
import { logoutTokenSigner } from './oidc/logout-token.js';
import { createSignInInteractions } from './http/sign-in.js';
import { authorizationErrorPage } from './http/authorization-error-page.js';
import { notFoundPage } from './http/middleware/not-found-page.js';
import { createFederationTransactions } from './http/federation-transactions.js';
import { createFederationLogout } from './http/federation-logout.js';
import { federatedCompletion, federationRoutes, upstreamOidcStart, upstreamStart } from './http/routes/federation.js';
import { samlFederationRoutes } from './http/routes/federation-saml.js';
import { samlSignIn } from './http/saml-sign-in.js';

/**
 * OIDC allows offline_access only with prompt=consent (otherwise oidc-provider
 * drops the scope). Gatehouse adds the prompt itself: first-party clients then
 * approve it without a page, third-party clients show the consent page.
 */
function offlineAccessPrompt(ctx: Context, next: Next) {
  if (ctx.method === 'GET' && ctx.path === '/auth') {
    const q = new URLSearchParams(ctx.querystring);
    const prompt = (q.get('prompt') ?? '').split(' ').filter(Boolean);
    if (
      (q.get('scope') ?? '').split(' ').includes('offline_access') &&
      !prompt.includes('consent') &&
      !prompt.includes('none')
    ) {
      q.set('prompt', [...prompt, 'consent'].join(' '));
      ctx.querystring = q.toString();
    }
  }
  return next();
}

/** Middleware that serves GET and HEAD requests only; the rest go straight on. */
function readOnly(middleware: Middleware[]) {
  const stack = compose(middleware);
  return (ctx: Context, next: Next) => (ctx.method === 'GET' || ctx.method === 'HEAD' ? stack(ctx, next) : next());
}

/** Paths of Gatehouse's own pages (CSRF cookie, HTML errors); the rest is the provider's. */
const PAGE_PREFIXES = [
  '/interaction/',
  '/forgot-password',
  '/reset-password',
  '/sign-up',
  '/sign-in',
  '/account',
  '/impersonation',
  '/federation/',
];

/** Which part of the server answers a path (for errors raised before its routes). */
function surfaceOf(path: string): Surface {
  if (PAGE_PREFIXES.some((p) => path.startsWith(p))) return 'page';
  if (path === SCIM_PREFIX || path.startsWith(`${SCIM_PREFIX}/`)) return 'scim';
  if (path === ADMIN_API_PREFIX || path.startsWith(`${ADMIN_API_PREFIX}/`)) return 'admin';
  return 'oidc';
}

/** The HTTP handler (Koa composition only): tests serve it without main.ts. */
export async function buildApp(c: Container) {
  await c.bootstrap.ensure();
  const render = createRenderer({
    branding: () => c.settings.current().branding,
    defaultLanguage: () => c.settings.current().defaultLanguage,
  });
  const csrf = createCsrf(c.keys.csrf);
  const upstreamLogout = createFederationLogout({
    lastProviderOf: c.federation.lastProviderOf,
    enabled: c.federation.homeRealm.enabled,
    endSessionUrl: (p) => c.federation.upstreamOidc.endSessionUrl(p),
  });
  const oidc = await createReloadableProvider({
    config: c.config,
    keys: c.signingKeys,
    log: c.log,
    cookieKeys: c.keys.cookies,
    ...c.oidcStore,
    impersonation: c.impersonation,
    accessTokens: c.accessTokens,
    clock: c.clock,
    tokenIssued: c.metrics.tokenIssued,
    queueLogout: c.backchannelLogout.enqueue,
    upstreamOf: c.federation.lastProviderOf,
    pages: {
      error: authorizationErrorPage(render),
      logout: async (ctx, form) => {
        await upstreamLogout.remember(ctx);
        return render.html(ctx, 'logout', { form, clientName: ctx.oidc.client?.clientName });
      },
      loggedOut: async (ctx) =>
        render.html(ctx, 'logged-out', {
          clientName: ctx.oidc.client?.clientName,
          upstream: await upstreamLogout.offer(ctx),
        }),
    },
  });
  // A custom field shown as a claim, or no longer: this instance rebuilds its provider at once (others at the change notice).
  c.admin.customFields.onChange(() =>
    oidc.refreshKeys().catch((err) => c.log.error({ err }, 'oidc.claims_reload_failed')),
  );
  // A key rotation or a claim announced by any instance: the provider is rebuilt (the minute's refresh is the fallback).
  c.instanceSync.on('signing_keys', () => oidc.refreshKeys());
  c.instanceSync.on('custom_fields', () => oidc.refreshKeys());
  await c.instanceSync.start();
  const provider = () => oidc.provider();
  await c.startWorkers(logoutTokenSigner(provider));
  const impersonationSessions = createImpersonationSessions({ provider, impersonation: c.impersonation });
  const acting = impersonationState({
    sessions: impersonationSessions,
    impersonation: c.impersonation,
    clock: c.clock,
  });

  const interactions = createSignInInteractions({ provider });
  const { runner: signIn, ...methods } = c.signIn;
  const strategies = {
    password: methods.password,
    totp: methods.totp,
    recovery: methods.recoveryCode,
    enrol: methods.totpEnrolment,
  };
  // Identity providers: the upstream sign-in's start (also from the sign-in form) and its answer.
  const { federation } = c;
  const transactions = createFederationTransactions({ box: federation.transactionBox, clock: c.clock });
  const startUpstream = upstreamStart({
    oidc: upstreamOidcStart({ upstreamOidc: federation.upstreamOidc, transactions }),
    // The RelayState stored with the AuthnRequest names the sign-in: the ACS needs no cookie.
    saml: (_ctx, provider, interaction) => federation.upstreamSaml.start(provider, interaction.uid),
  });
  const pages = [
    interactionRoutes({
      provider,
      interactions,
      signIn,
      strategies,
      mfa: c.mfa,
      users: c.pageReads.users,
      signUpOffered: () => c.signUp.settings().enabled,
      lockout: () => c.settings.current().lockout,
      clock: c.clock,
      federation: {
        homeRealm: federation.homeRealm,
        start: startUpstream,
        passwordRefused: federation.federatedSignIn.passwordRefused,
      },
      csrf,
      render,
    }),
    federationRoutes({
      provider,
      interactions,
      homeRealm: federation.homeRealm,
      upstreamOidc: federation.upstreamOidc,
      federatedSignIn: federation.federatedSignIn,
      transactions,
      start: startUpstream,
      issuer: c.config.issuer,
      render,
    }),
    samlFederationRoutes(
      samlSignIn({
        homeRealm: federation.homeRealm,
        upstreamSaml: federation.upstreamSaml,
        responses: federation.samlResponses,
        federatedSignIn: federation.federatedSignIn,
        completion: federatedCompletion({
          provider,
          interactions,
          federatedSignIn: federation.federatedSignIn,
          render,
        }),
      }),
    ),
    passwordResetRoutes({ resets: c.passwordResets, limits: c.rateLimits.passwordReset, csrf, render }),
    signUpRoutes({ signUp: c.signUp, limits: c.rateLimits.signUp, csrf, render }),
    selfServiceRoutes({
      provider,
      issuer: c.config.issuer,
      identity: c.identity,
      password: methods.password,
      mfa: c.mfa,
      passkeys: c.passkeys,
      users: c.pageReads.users,
      profile: c.admin.users,
      sessions: c.admin.sessions,
      emailChanges: c.emailChanges,
      csrf,
      render,
    }),
    passkeyRoutes({
      provider,
      defaultLanguage: () => c.settings.current().defaultLanguage,
      passkeys: c.passkeys,
      users: c.pageReads.users,
      interactions,
      signIn,
      strategy: methods.passkey,
      csrf,
    }),
    impersonationRoutes({ sessions: impersonationSessions, csrf, render }),
  ].flatMap((r) => [routerMiddleware(r.routes()), routerMiddleware(r.allowedMethods())]);
  const health = healthRoutes({ ping: c.ping });
  const assets = assetRoutes();
  const branding = brandingRoutes({ branding: () => c.settings.current().branding });

  const pageStack = compose<Context>([pageErrors(render, c.log), csrf.issue, languageSwitch, acting, ...pages]);
  const scim = scimApi({
    ...c.scim,
    limits: c.config.scim,
    throttle: c.rateLimits.bearer,
    log: c.log,
    counted: c.metrics.scimRequest,
  });
  const adminOperations = adminRoutes({
    ...c.admin,
    clients: c.clients,
    scimTokens: c.scim.auth,
    settings: c.settings,
    impersonation: c.impersonation,
    webhooks: c.webhooks,
    identityProviders: c.federation.identityProviders,
  });
  const admin = adminApi({
    routes: adminOperations,
    auth: c.admin.auth,
    throttle: c.rateLimits.bearer,
    log: c.log,
    baseUrl: c.admin.baseUrl,
  });

  const stacks: Partial<Record<Surface, (ctx: Context, next: Next) => Promise<unknown>>> = {
    page: pageStack,
    scim,
    admin,
  };

  // `/metrics` on this port only with METRICS_TOKEN (METRICS_PORT's listener is main.ts's).
  const metricsToken = c.config.metrics.token;
  const metrics = metricsToken
    ? [routerMiddleware(metricsRoutes({ metrics: c.metrics, token: metricsToken }).routes())]
    : [];

  // One Koa stack per request: these run inside oidc-provider's own app, ahead of its routes.
  oidc.use([
    // First: the request id (every later log line carries it), then the metrics and the access log (the final status).
    requestId(),
    requestMetrics(c.metrics),
    requestLog(c.log),
    securityHeaders({ https: c.config.issuer.startsWith('https:') }),
    // A browser at an address nothing answers: a plain page (the JSON surfaces answer their own way).
    notFoundPage(render, (path) => ['scim', 'admin'].includes(surfaceOf(path))),
    databaseUnavailable(render, c.log),
    // Input PostgreSQL cannot store (NUL, unpaired surrogates, invalid UTF-8) is a 400 before any route.
    storableInput({ surfaceOf, render }),
    // Probes, files (the administration console's among them) and metrics answer GET and HEAD only:
    // other requests (the token endpoint's) skip their routers.
    readOnly([
      routerMiddleware(health.routes()),
      routerMiddleware(assets.routes()),
      routerMiddleware(branding.routes()),
      ...metrics,
      consoleRoutes(),
    ]),
    // Failed client authentication at the token endpoints: 429 before the provider's routes.
    clientAuthThrottle(c.rateLimits.clientAuth),
    // Gatehouse's pages, SCIM and the admin API each have a stack of their own; the rest is oidc-provider's.
    (ctx, next) => {
      const stack = stacks[surfaceOf(ctx.path)];
      return stack ? stack(ctx, next) : next();
    },
    // An impersonation past its end gives the session back before the authorization uses it.
    (ctx, next) => (ctx.path === '/auth' || ctx.path.startsWith('/auth/') ? acting(ctx, next) : next()),
    offlineAccessPrompt,
  ]);
  /** The HTTP request listener; it follows the provider across key rotations. */
  const handle = (req: IncomingMessage, res: ServerResponse) => oidc.callback()(req, res);
  return { handle, oidc };
}
