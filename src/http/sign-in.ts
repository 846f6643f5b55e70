import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { SignInAttemptContext } from '../domain/sign-in-attempt.js';
import { knowUiLocales } from './page-language.js';
import type { InteractionPort } from '../login/sign-in-runner.js';
import type { PendingSignIn, SignInStep } from '../login/sign-in-flow.js';

/** Where a sign-in attempt comes from: the request's IP and User-Agent, the interaction's client. */
export function attemptContext(ctx: Context, interaction?: { params: Record<string, unknown> }): SignInAttemptContext {
  const clientId = interaction?.params.client_id;
  return {
    ip: ctx.ip || null,
    userAgent: ctx.get('user-agent') || null,
    clientId: typeof clientId === 'string' ? clientId : null,
  };
}

/**
 * oidc-provider's interaction as the sign-in runner's port (login/sign-in-runner.ts):
 * the sign-in waiting on a second step is kept in the interaction's stored result
 * until the last one; then the result becomes oidc-provider's `login` and the
 * authorization resumes.
 */
export function createSignInInteractions(deps: { provider: () => Provider }) {
  /** The interaction; its `ui_locales` choose the language of the pages it shows. */
  const details = async (ctx: Context) => {
    const interaction = await deps.provider().interactionDetails(ctx.req, ctx.res);
    knowUiLocales(ctx, interaction.params.ui_locales);
    return interaction;
  };
  type Interaction = Awaited<ReturnType<typeof details>>;

  /**
   * `keepSignedIn`: the person's choice on the sign-in form, kept beside the waiting
   * sign-in until the last step; without it the Gatehouse session is a browser-session
   * cookie (oidc-provider's `remember: false`). Absent (a passkey first step): kept.
   */
  function portOf(ctx: Context, interaction: Interaction, choice?: { keepSignedIn: boolean }): InteractionPort {
    const stored = interaction.result as { pending?: PendingSignIn; keepSignedIn?: boolean } | undefined;
    const keepSignedIn = choice?.keepSignedIn ?? stored?.keepSignedIn ?? true;
    const keep = async (result: Record<string, unknown>, ttlSeconds: number) => {
      interaction.result = { ...result, keepSignedIn };
      await interaction.save(ttlSeconds);
    };
    const pending = stored?.pending;
    return {
      // Only while the prompt is `login`.
      pending: interaction.prompt.name === 'login' ? pending : undefined,
      acrValues: String(interaction.params.acr_values ?? '').split(' '),
      context: attemptContext(ctx, interaction),
      expiresAt: interaction.exp,
      remember: (next, ttlSeconds) => keep({ pending: next }, ttlSeconds),
      finish: (login, ttlSeconds) => keep({ login: { ...login, remember: keepSignedIn } }, ttlSeconds),
    };
  }

  return {
    details,
    portOf,
    /** The interaction, and the sign-in on it. */
    async load(ctx: Context): Promise<{ interaction: Interaction; port: InteractionPort }> {
      const interaction = await details(ctx);
      return { interaction, port: portOf(ctx, interaction) };
    },
    /** Where the browser goes after a step: back to the client once done, otherwise the next step's page. */
    location: (interaction: Interaction, next: SignInStep | 'done') =>
      next === 'done' ? interaction.returnTo : `/interaction/${interaction.uid}`,
  };
}
export type SignInInteractions = ReturnType<typeof createSignInInteractions>;
export type Interaction = Awaited<ReturnType<SignInInteractions['details']>>;
