import { PageTitle } from '../components/page-title';
import { RouteTabs } from '../components/route-tabs';
import { notAllowed, useMe } from '../me';
import { CustomFields } from './settings/custom-fields';
import { Licences } from './settings/licences';
import { MailTemplates } from './settings/mail-templates';
import { SecuritySettings } from './settings/security';

/** Settings (super admins): the security settings, custom fields, licences and mail templates. */
export default function Page() {
  const { can } = useMe();
  return (
    <>
      <PageTitle title="Settings">Settings</PageTitle>
      {can('settings') ? (
        <RouteTabs
          label="Settings"
          base="/settings"
          tabs={[
            { id: 'security', label: 'Security', content: <SecuritySettings /> },
            { id: 'custom-fields', label: 'Custom fields', content: <CustomFields /> },
            { id: 'licences', label: 'Licences', content: <Licences /> },
            { id: 'mail-templates', label: 'Mail templates', content: <MailTemplates /> },
          ]}
        />
      ) : (
        <p className="notice">Settings are for super admins. {notAllowed('settings')}</p>
      )}
    </>
  );
}
