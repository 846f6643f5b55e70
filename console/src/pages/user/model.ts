import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../../api';
import { notify } from '../../components/toasts';
import type { AdminAction, Role, User } from '../../types';

/** A user's record as GET /users/{id} gives it, and what the console reads beside it. */

/** Phones, addresses and role assignments as the server's domain names them (one source). */
export type {
  ContactValue as PhoneNumber,
  PostalAddress as Address,
  RoleAssignment,
} from '../../../../src/domain/user.js';
import type { ContactValue, PostalAddress, RoleAssignment } from '../../../../src/domain/user.js';

export interface Employment {
  accountId: string;
  accountName: string;
  startDate: string | null;
  endDate: string | null;
  isMain: boolean;
}
export interface UserLicence {
  key: string;
  name: string;
  requiredToSignIn: boolean;
  assignedAt: string;
}
export interface SignIn {
  id: number;
  at: string;
  outcome: 'succeeded' | 'failed';
  reason: string | null;
  factor: string | null;
  amr: string[] | null;
  identifier: string | null;
  clientId: string | null;
  ip: string | null;
  userAgent: string | null;
}
export interface UserDetails {
  user: User & { jobTitle: string | null; phoneNumbers: ContactValue[]; addresses: PostalAddress[] };
  roles: RoleAssignment[];
  employments: Employment[];
  groups: { id: string; displayName: string }[];
  licences: UserLicence[];
  lastSignIn: SignIn | null;
  lastFailedSignIn: SignIn | null;
}
export interface CustomField {
  key: string;
  label: string;
  type: 'text' | 'number' | 'date' | 'boolean' | 'option';
  options: string[];
  required: boolean;
}
export interface Named {
  id: string;
  name: string;
}

/** The record as the page shows it, with what the administrator may do to it. */
export interface RecordView {
  id: string;
  details: UserDetails;
  name: string;
  /** Whether to offer an action on this user: the role's permission, and the user within reach of change. */
  may: (action: AdminAction) => boolean;
  /** Whether the administrator may read this (permission only). */
  can: (action: AdminAction) => boolean;
  /** The record is the administrator's own. */
  self: boolean;
  /** The roles the administrator may give: up to their own. */
  grantable: readonly Role[];
}

export const userKey = (id: string) => ['user', id] as const;

/** Every query about one user starts with `userKey(id)`: one invalidation refreshes the page. */
export function useUserDetails(id: string) {
  return useQuery({
    queryKey: userKey(id),
    queryFn: () => api<UserDetails>(`/users/${id}`),
    placeholderData: undefined,
  });
}

/** Directory lists for pickers (short lists: one page of at most 500). */
export function useDirectory(enabled: boolean) {
  const accounts = useQuery({
    queryKey: ['directory', 'accounts'],
    queryFn: () => api<{ items: Named[] }>('/accounts?limit=500'),
    enabled,
    staleTime: 60_000,
  });
  const accountGroups = useQuery({
    queryKey: ['directory', 'account-groups'],
    queryFn: () => api<{ items: Named[] }>('/account-groups?limit=500'),
    enabled,
    staleTime: 60_000,
  });
  const accountName = (id: string) => accounts.data?.items.find((a) => a.id === id)?.name ?? id;
  const accountGroupName = (id: string) => accountGroups.data?.items.find((g) => g.id === id)?.name ?? id;
  return {
    accounts: accounts.data?.items ?? [],
    accountGroups: accountGroups.data?.items ?? [],
    accountName,
    accountGroupName,
  };
}

/** What an error says to a person. */
export const errorText = (error: unknown) =>
  error instanceof ApiError ? error.message : 'Something went wrong. Try again.';

/**
 * A change to the user: on success a toast and the page read again, on failure a toast
 * with the API's reason.
 */
export function useUserChange<T = void>(
  id: string,
  run: (input: T) => Promise<unknown>,
  done: string | ((input: T) => string),
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: (_result, input) => {
      notify.success(typeof done === 'function' ? done(input) : done);
      void queryClient.invalidateQueries({ queryKey: userKey(id) });
      void queryClient.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (error) => notify.error('Not done', errorText(error)),
  });
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** A time as a person reads it (in the browser's zone). */
export const formatTime = (iso: string | null | undefined) => (iso ? dateTime.format(Date.parse(iso)) : '—');

/** Roles as choices. */
export const roleOptions = (roles: readonly Role[]) => roles.map((r) => ({ id: r, label: ROLE_LABELS[r] }));

export const ROLE_LABELS: Record<Role, string> = {
  individual: 'Individual',
  manager: 'Manager',
  hr: 'HR',
  admin: 'Admin',
  super_admin: 'Super admin',
};

const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
/** A calendar date (YYYY-MM-DD) as a person reads it. */
export const formatDate = (date: string | null) => (date ? dateOnly.format(Date.parse(`${date}T00:00:00Z`)) : '—');

type Directory = ReturnType<typeof useDirectory>;
/** An account or account group as a choice (`account:<id>`, `group:<id>`). */
export const scopeOptions = (directory: Directory) => [
  ...directory.accounts.map((a) => ({ id: `account:${a.id}`, label: `Account ${a.name}` })),
  ...directory.accountGroups.map((g) => ({ id: `group:${g.id}`, label: `Account group ${g.name}` })),
];
export const parseScope = (scope: string) => {
  const [kind, id] = scope.split(':') as [string, string];
  return { accountId: kind === 'account' ? id : null, accountGroupId: kind === 'group' ? id : null };
};
export const scopeName = (directory: Directory, s: { accountId: string | null; accountGroupId: string | null }) =>
  s.accountId
    ? `Account ${directory.accountName(s.accountId)}`
    : `Account group ${directory.accountGroupName(s.accountGroupId ?? '')}`;
