import { type QueryClient, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from './api';
import type { AdminAction, Permissions, User } from './types';

const meQuery = queryOptions({ queryKey: ['me'], queryFn: () => api<User>('/me'), staleTime: 60_000 });
const permissionsQuery = queryOptions({
  queryKey: ['me', 'permissions'],
  queryFn: () => api<Permissions>('/me/permissions'),
  staleTime: 60_000,
});

/** Asked for as soon as the tokens are in, while the first page's script loads. */
export function prefetchMe(client: QueryClient): void {
  void client.prefetchQuery(meQuery);
  void client.prefetchQuery(permissionsQuery);
}

/** The signed-in administrator and what they may do (GET /me, /me/permissions). */
export function useMe() {
  const me = useQuery(meQuery);
  const permissions = useQuery(permissionsQuery);
  return {
    me: me.data,
    permissions: permissions.data,
    /** Whether to offer an action: the API still decides. */
    can: (action: AdminAction) => permissions.data?.actions.includes(action) ?? false,
    loading: me.isPending || permissions.isPending,
  };
}

/** What a person reads when an action is not offered to their role. */
export const notAllowed = (action: AdminAction) => `Your role may not do this (${action}).`;
