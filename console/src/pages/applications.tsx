import { PageTitle } from '../components/page-title';
import { RouteTabs } from '../components/route-tabs';
import { notAllowed, useMe } from '../me';
import { Clients, ServiceAccounts } from './applications/clients';
import { IdentityProviders } from './applications/identity-providers';
import { Resources } from './applications/resources';
import { ScimTokens } from './applications/scim-tokens';

/** Applications (super admins): OIDC clients, APIs, SCIM tokens, service accounts and upstream identity providers. */
export default function Page() {
  const { can } = useMe();
  return (
    <>
      <PageTitle title="Applications">Applications</PageTitle>
      {can('settings') ? (
        <RouteTabs
          label="Applications"
          base="/applications"
          tabs={[
            { id: 'clients', label: 'Clients', content: <Clients /> },
            { id: 'apis', label: 'APIs', content: <Resources /> },
            { id: 'scim-tokens', label: 'SCIM tokens', content: <ScimTokens /> },
            { id: 'service-accounts', label: 'Service accounts', content: <ServiceAccounts /> },
            { id: 'identity-providers', label: 'Identity providers', content: <IdentityProviders /> },
          ]}
        />
      ) : (
        <p className="notice">Applications are for super admins. {notAllowed('settings')}</p>
      )}
    </>
  );
}
