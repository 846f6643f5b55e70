import Router from '@koa/router';
import type { Context } from 'koa';
import type { SamlProviderConfig } from '../../domain/saml-provider.js';
import type { UpstreamIdentity } from '../../domain/upstream-identity.js';
import { AppError } from '../../errors/app-error.js';
import { fail } from '../../errors/codes.js';
import type { SamlResponseService } from '../../services/saml-response.js';
import { samlSpMetadata } from '../../services/saml-sp-metadata.js';
import { readForm } from '../middleware/body.js';
import { pathParam } from '../path-param.js';

/** The largest SAMLResponse form accepted: an assertion with many groups (Entra ID, ADFS) runs to tens of KiB. */
const ACS_FORM_LIMIT = 512 * 1024;

export interface SamlFederationDeps {
  /** The SAML provider registered under this name, if any. */
  findSamlProvider: (name: string) => Promise<SamlProviderConfig | undefined>;
  responses: SamlResponseService;
  /** Links or provisions the person and finishes the sign-in `relayState` belongs to (it answers the browser). */
  completeSignIn: (
    provider: SamlProviderConfig,
    identity: UpstreamIdentity,
    ctx: Context,
    relayState: string,
  ) => Promise<void>;
  /** Audits the refused answer (`signin.failed`, reason `upstream_*`); the error page follows. */
  signInFailed: (provider: SamlProviderConfig, error: AppError, ctx: Context) => Promise<void>;
}

/**
 *   GET  /federation/:name/metadata   our SP metadata for this provider, for the IdP's administrator
 *   POST /federation/:name/acs        the IdP's answer (HTTP-POST binding): validated, then the sign-in completes
 *
 * The ACS takes no CSRF token: the IdP's page posts it, and the answer is bound to a
 * request we sent (InResponseTo, single use) instead.
 */
export function samlFederationRoutes(deps: SamlFederationDeps) {
  const router = new Router();
  const provider = async (ctx: Context) => {
    const found = await deps.findSamlProvider(pathParam(ctx as Context & { params: Record<string, string> }, 'name'));
    if (!found) throw fail('federation.unknown_provider');
    return found;
  };

  router.get('/federation/:name/metadata', async (ctx) => {
    const xml = samlSpMetadata(await provider(ctx));
    ctx.type = 'application/samlmetadata+xml';
    ctx.body = xml;
  });

  router.post('/federation/:name/acs', async (ctx) => {
    const config = await provider(ctx);
    const form = await readForm(ctx, ACS_FORM_LIMIT);
    try {
      const { identity, relayState } = await deps.responses.signIn(config, form.SAMLResponse ?? '');
      await deps.completeSignIn(config, identity, ctx, relayState);
    } catch (err) {
      if (err instanceof AppError && err.code.startsWith('federation.upstream_'))
        await deps.signInFailed(config, err, ctx);
      throw err;
    }
  });

  return router;
}
