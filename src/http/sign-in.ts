import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { ACR_MFA, acrFor, type AuthMethod } from '../domain/authentication.js';
import type { Role } from '../domain/user.js';
import { AppError, assertThat } from '../errors/app-error.js';
import { nextStep, type PendingSignIn, type SignInStep } from '../login/sign-in-flow.js';
import { mfaRequirement } from '../policies/mfa-requirement.js';
import { maySignIn, STATUS_RULES } from '../policies/status.js';
import type { SignInFactsRepository } from '../repositories/sign-in-facts.js';
import type { SignInAttemptContext, SignInFailure } from '../domain/sign-in-attempt.js';
import type { SignInAudit } from '../services/sign-in-audit.js';
import { LOGIN_MESSAGES } from './messages.js';

export interface SignInDeps {
  provider: () => Provider;
  facts: SignInFactsRepository;
  mfaSettings: () => { requiredRoles: readonly Role[] };
  signInAudit: SignInAudit;
}

/** Where a sign-in attempt comes from: the request's IP and User-Agent, the interaction's client. */
export function attemptContext(ctx: Context, interaction?: { params: Record<string, unknown> }): SignInAttemptContext {
  const clientId = interaction?.params.client_id;
  return { ip: ctx.ip || null, userAgent: ctx.get('user-agent') || null, clientId: typeof clientId === 'string' ? clientId : null };
}

/**
 * The sign-in in progress on an oidc-provider interaction. After each factor,
 * `advance` decides the next step (sign-in-flow.ts) and keeps it, with the
 * methods done so far, in the interaction's stored result until the last one:
 * then the result becomes oidc-provider's `login` and the authorization resumes.
 * Each attempt is recorded once where its outcome is known: `complete` records
 * `signin.succeeded`, `refused` a `signin.failed` (services/sign-in-audit.ts).
 */
export function createSignIn(deps: SignInDeps) {
  const details = (ctx: Context) => deps.provider().interactionDetails(ctx.req, ctx.res);
  type Interaction = Awaited<ReturnType<typeof details>>;

  async function keep(interaction: Interaction, result: Record<string, unknown>) {
    interaction.result = result;
    await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  }

  /** The sign-in is complete: recorded (`signin.succeeded`), then handed to oidc-provider as its `login`. */
  async function complete(ctx: Context, interaction: Interaction, userId: string, amr: AuthMethod[]) {
    await deps.signInAudit.succeeded({ userId, amr }, attemptContext(ctx, interaction));
    await keep(interaction, { login: { accountId: userId, amr, acr: acrFor(amr), remember: true } });
  }

  /** A refused attempt on this interaction, recorded (`signin.failed`). */
  const refused = (ctx: Context, interaction: Interaction | undefined, failure: SignInFailure) =>
    deps.signInAudit.failed(failure, attemptContext(ctx, interaction));

  /**
   * Records a factor that succeeded for `userId`; returns the step that follows
   * (`done` once the authorization may resume at `interaction.returnTo`).
   */
  async function step(ctx: Context, interaction: Interaction, userId: string, amr: AuthMethod[], options: { justEnrolled?: boolean } = {}): Promise<SignInStep | 'done'> {
    const facts = await deps.facts.forUser(userId);
    assertThat(facts, new AppError('login.invalid_credentials', 401, LOGIN_MESSAGES['login.invalid_credentials']));
    // The password step checks the status after a right password; a passkey alone is checked here.
    const { status } = facts.user;
    if (!maySignIn(status)) {
      await refused(ctx, interaction, { reason: `status_${status}`, userId, factor: amr.includes('pwd') ? 'password' : 'passkey' });
      throw new AppError(STATUS_RULES[status].reason ?? 'login.not_allowed', 403, LOGIN_MESSAGES[STATUS_RULES[status].reason ?? 'login.not_allowed']);
    }
    const requested = String(interaction.params.acr_values ?? '').split(' ').includes(ACR_MFA);
    const requirement = mfaRequirement(
      { roles: [facts.user.mainRole, ...(facts.roleNames as Role[])], hasFactor: facts.totp || facts.passkeys > 0, requested },
      deps.mfaSettings(),
    );
    const next = nextStep(amr, requirement, { justEnrolled: options.justEnrolled ?? false });
    if (next === 'done') await complete(ctx, interaction, userId, amr);
    else await keep(interaction, { pending: { userId, amr, need: next } satisfies PendingSignIn });
    return next;
  }

  return {
    details,
    step,
    complete,
    refused,
    /** The interaction, and the sign-in waiting on a second step (only while the prompt is `login`). */
    async load(ctx: Context): Promise<{ interaction: Interaction; pending?: PendingSignIn }> {
      const interaction = await details(ctx);
      const pending = (interaction.result as { pending?: PendingSignIn } | undefined)?.pending;
      return { interaction, pending: interaction.prompt.name === 'login' ? pending : undefined };
    },
    /** Like `step`, answering the URL the browser goes to next. */
    async advance(ctx: Context, interaction: Interaction, userId: string, amr: AuthMethod[], options: { justEnrolled?: boolean } = {}): Promise<string> {
      return (await step(ctx, interaction, userId, amr, options)) === 'done' ? interaction.returnTo : `/interaction/${interaction.uid}`;
    },
  };
}
export type SignIn = ReturnType<typeof createSignIn>;
export type Interaction = Awaited<ReturnType<SignIn['details']>>;
