import type { ReactNode } from 'react';
import { Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorNote } from '../components/fields';
import { PageTitle } from '../components/page-title';
import { StatusBadge } from '../components/status-badge';
import { useMe } from '../me';
import { type AdminAction, nameOf, ROLES, type Role } from '../types';
import { AuditTrailSection } from './user/audit-trail';
import { EmploymentSection } from './user/employment';
import { GroupsSection } from './user/groups';
import { LicencesSection } from './user/licences';
import { LogInAsUser } from './user/log-in-as';
import { ManagementSection } from './user/management';
import { formatTime, type RecordView, ROLE_LABELS, useUserDetails } from './user/model';
import { ProfileSection } from './user/profile';
import { RolesSection } from './user/roles';
import { SecuritySection } from './user/security';
import { SignInsSection } from './user/sign-ins';
import { StatusActions } from './user/status-actions';

const rank = (role: Role) => ROLES.indexOf(role);

/** The record's sections, each a tab (`?tab=` keeps the one shown across reloads and links). */
const SECTIONS: { id: string; label: string; needs?: AdminAction; show: (r: RecordView) => ReactNode }[] = [
  { id: 'profile', label: 'Profile', show: (r) => <ProfileSection record={r} /> },
  { id: 'employment', label: 'Employment', show: (r) => <EmploymentSection record={r} /> },
  { id: 'roles', label: 'Roles', needs: 'directory.read', show: (r) => <RolesSection record={r} /> },
  { id: 'management', label: 'Management', needs: 'directory.read', show: (r) => <ManagementSection record={r} /> },
  { id: 'groups', label: 'Groups', show: (r) => <GroupsSection record={r} /> },
  { id: 'licences', label: 'Licences', show: (r) => <LicencesSection record={r} /> },
  { id: 'security', label: 'Security', show: (r) => <SecuritySection record={r} /> },
  { id: 'sign-ins', label: 'Sign-ins', needs: 'audit.read', show: (r) => <SignInsSection record={r} /> },
  { id: 'audit', label: 'Audit trail', needs: 'audit.read', show: (r) => <AuditTrailSection record={r} /> },
];

/** Issue 15 workflows 2 and 4: a user's record, its sections and status changes. */
export default function UserPage() {
  const { id = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const { me, permissions, can } = useMe();
  const details = useUserDetails(id);

  if (details.isPending || !permissions) return <p>Loading…</p>;
  if (details.error)
    return (
      <>
        <PageTitle title="User">User</PageTitle>
        <ErrorNote error={details.error} />
        <p>
          <Link to="/users">Back to users</Link>
        </p>
      </>
    );

  const d = details.data;
  const { user } = d;
  const name = nameOf(user);
  const targetRole = ROLES[Math.max(rank(user.mainRole), ...d.roles.map((r) => rank(r.role)))] ?? user.mainRole;
  const mayChange = rank(targetRole) <= rank(permissions.role);
  const record: RecordView = {
    id,
    details: d,
    name,
    can,
    may: (action) => can(action) && mayChange,
    self: me?.id === user.id,
    grantable: ROLES.filter((r) => rank(r) <= rank(permissions.role)),
  };
  const sections = SECTIONS.filter((s) => !s.needs || can(s.needs));
  const tab = sections.some((s) => s.id === search.get('tab')) ? (search.get('tab') as string) : 'profile';

  return (
    <article className="user-record">
      <Link to="/users" className="back-link">
        ← Users
      </Link>
      <PageTitle title={name}>{name}</PageTitle>
      <dl className="facts record-facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={user.status} />
        </dd>
        <dt>User ID</dt>
        <dd>{user.userCode}</dd>
        <dt>Email</dt>
        <dd>{user.email ?? '—'}</dd>
        <dt>Main role</dt>
        <dd>{ROLE_LABELS[user.mainRole]}</dd>
        <dt>Last sign-in</dt>
        <dd>{formatTime(user.lastSignInAt)}</dd>
      </dl>
      {!mayChange && (
        <p className="note" role="note">
          Read only: your role ({ROLE_LABELS[permissions.role]}) may not change a user who is {ROLE_LABELS[targetRole]}.
        </p>
      )}
      {record.self && mayChange && (
        <p className="note" role="note">
          This is your own user: you may not deactivate, lock or delete it yourself.
        </p>
      )}
      <StatusActions record={record} />
      <LogInAsUser record={record} />
      <Tabs
        className="record-tabs"
        selectedKey={tab}
        onSelectionChange={(key) => setSearch({ tab: String(key) }, { replace: true })}
      >
        <TabList aria-label="Sections of the record" className="tab-list">
          {sections.map((s) => (
            <Tab key={s.id} id={s.id} className="tab">
              {s.label}
            </Tab>
          ))}
        </TabList>
        {sections.map((s) => (
          <TabPanel key={s.id} id={s.id} className="tab-panel">
            {s.show(record)}
          </TabPanel>
        ))}
      </Tabs>
    </article>
  );
}
