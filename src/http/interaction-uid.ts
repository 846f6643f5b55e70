/** An interaction uid as oidc-provider makes them; anything else is dropped. */
const INTERACTION = /^[A-Za-z0-9_-]{1,64}$/;

/** The sign-in a page was reached from (`?interaction=`, a hidden field), for its "Back to sign-in" link. */
export const interactionUid = (value: unknown): string | undefined =>
  typeof value === 'string' && INTERACTION.test(value) ? value : undefined;
