import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { AppError } from '../../errors/app-error.js';
import type { PasswordStep } from '../../login/password-step.js';
import { readForm } from '../middleware/body.js';
import type { Csrf } from '../middleware/csrf.js';
import type { Renderer } from '../render.js';
import { LOGIN_MESSAGES } from '../messages.js';
import { isFirstParty } from '../../oidc/provider.js';
import { ACR_PASSWORD } from '../../domain/authentication.js';

export interface InteractionDeps {
  provider: () => Provider;
  passwordStep: PasswordStep;
  csrf: Csrf;
  render: Renderer;
}

const WRONG_STEP = () => new AppError('interaction.wrong_step', 400, 'This sign-in step has already been completed.');

/**
 * The sign-in pages oidc-provider sends the browser to:
 *   GET  /interaction/:uid          login form, or consent (first-party clients skip it)
 *   POST /interaction/:uid/login    identifier + password
 *   POST /interaction/:uid/confirm  consent
 *   GET  /interaction/:uid/abort    "cancel": access_denied to the client
 */
export function interactionRoutes(deps: InteractionDeps) {
  const { csrf, render } = deps;
  const router = new Router({ prefix: '/interaction/:uid' });

  const details = (ctx: Context) => deps.provider().interactionDetails(ctx.req, ctx.res);
  type Interaction = Awaited<ReturnType<typeof details>>;
  /** Stores the step's result on the interaction already loaded and resumes the authorization. */
  const finish = async (ctx: Context, interaction: Interaction, result: Record<string, unknown>) => {
    interaction.result = result;
    await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
    ctx.status = 303;
    ctx.redirect(interaction.returnTo);
  };
  const findClient = (interaction: Interaction) => deps.provider().Client.find(String(interaction.params.client_id));
  const nameOf = (client: Awaited<ReturnType<typeof findClient>>, interaction: Interaction) =>
    (client?.clientName as string | undefined) ?? String(interaction.params.client_id);
  const loginPage = (ctx: Context, uid: string, model: { username?: string; message?: string; clientName: string; locked?: boolean }, status = 200) =>
    render.page(ctx, 'login', { uid, ...model }, status);

  /** Grants what the consent prompt found missing. */
  async function grantConsent(ctx: Context, interaction: Interaction) {
    const provider = deps.provider();
    const { prompt, params, session, grantId } = interaction;
    const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
    if (!grant) throw new AppError('interaction.grant_missing', 400, 'The sign-in request has expired.');
    const d = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    await finish(ctx, interaction, { consent: { grantId: await grant.save() } });
  }

  router.get('/', async (ctx) => {
    const interaction = await details(ctx);
    const client = await findClient(interaction);
    const name = nameOf(client, interaction);
    if (interaction.prompt.name === 'login') {
      return loginPage(ctx, interaction.uid, { clientName: name, username: (interaction.params.login_hint as string) ?? '' });
    }
    if (interaction.prompt.name === 'consent') {
      if (isFirstParty(client)) return grantConsent(ctx, interaction);
      const d = interaction.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
      return render.page(ctx, 'consent', {
        uid: interaction.uid,
        clientName: name,
        scopes: (d.missingOIDCScope ?? []).filter((s) => s !== 'openid'),
        resources: Object.entries(d.missingResourceScopes ?? {}).map(([indicator, scopes]) => ({ indicator, scopes })),
      });
    }
    throw new AppError('interaction.unknown_prompt', 400, 'This sign-in step is not supported.');
  });

  router.post('/login', async (ctx) => {
    const interaction = await details(ctx);
    if (interaction.prompt.name !== 'login') throw WRONG_STEP();
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    const username = (form.username ?? '').trim();
    const outcome = await deps.passwordStep.verify(username, form.password ?? '', ctx.ip);
    if (!outcome.ok) {
      const status = outcome.code === 'login.invalid_credentials' ? 401 : 403;
      const clientName = nameOf(await findClient(interaction), interaction);
      return loginPage(ctx, interaction.uid, { clientName, username, message: LOGIN_MESSAGES[outcome.code] ?? LOGIN_MESSAGES['login.not_allowed'], locked: outcome.code === 'login.locked' }, status);
    }
    await finish(ctx, interaction, { login: { accountId: outcome.userId, amr: outcome.amr, acr: ACR_PASSWORD, remember: true } });
  });

  router.post('/confirm', async (ctx) => {
    const interaction = await details(ctx);
    if (interaction.prompt.name !== 'consent') throw WRONG_STEP();
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    await grantConsent(ctx, interaction);
  });

  router.get('/abort', async (ctx) => {
    await finish(ctx, await details(ctx), { error: 'access_denied', error_description: 'The user cancelled the sign-in.' });
  });

  return router;
}
