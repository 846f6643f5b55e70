import type { IdentityProvider } from '../domain/identity-provider.js';
import type { IdentityProvidersRepository } from '../repositories/identity-providers.js';

/** The domain of an email address (lower case), if it is one. */
const emailDomain = (identifier: string) => {
  const at = identifier.lastIndexOf('@');
  return at > 0 && at < identifier.length - 1 ? identifier.slice(at + 1).toLowerCase() : undefined;
};

/**
 * Home-realm discovery: which identity provider signs a person in. By the domain
 * of the email typed (verified domains only), or for a known user by their email
 * domain or main account (a required provider); the providers shown as buttons.
 */
export function createHomeRealmService(deps: {
  providers: Pick<IdentityProvidersRepository, 'forDomain' | 'requiredFor' | 'shownPublicly' | 'findByName'>;
}) {
  const { providers } = deps;
  const forEmail = async (identifier: string): Promise<IdentityProvider | undefined> => {
    const domain = emailDomain(identifier);
    return domain ? providers.forDomain(domain) : undefined;
  };
  return {
    forEmail,
    /** The name of the required provider the user must sign in through (their password is refused), if any. */
    requiredFor: (userId: string) => providers.requiredFor(userId),
    shown: () => providers.shownPublicly(),
    /** The provider of this name, if it is enabled. */
    async enabled(name: string): Promise<IdentityProvider | undefined> {
      const found = await providers.findByName(name);
      return found?.enabled ? found : undefined;
    },
  };
}
export type HomeRealmService = ReturnType<typeof createHomeRealmService>;
