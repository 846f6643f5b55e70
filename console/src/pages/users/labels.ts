import type { Role } from '../../types';

const ROLE_LABELS: Record<Role, string> = {
  individual: 'Individual',
  manager: 'Manager',
  hr: 'HR',
  admin: 'Admin',
  super_admin: 'Super admin',
};

/** A role as a person reads it. */
export const roleLabel = (role: Role) => ROLE_LABELS[role] ?? role;

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });
/** A date as a person reads it; empty for none. */
export const dateLabel = (iso: string | null) => (iso ? dateFormat.format(new Date(iso)) : '');

/** "1 user", "1,234 users". */
export const usersCount = (n: number) => `${n.toLocaleString('en')} ${n === 1 ? 'user' : 'users'}`;
