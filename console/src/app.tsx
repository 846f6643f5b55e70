import { keepPreviousData, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ComponentType, useState } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiError } from './api';
import { BASE } from './auth';
import { Layout } from './layout';
import { prefetchMe } from './me';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal or a missing record is an answer, not a glitch to retry.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      placeholderData: keepPreviousData,
      staleTime: 5_000,
      refetchOnWindowFocus: false,
    },
  },
});

/** Each page is its own chunk, loaded when first shown. */
const page = (load: () => Promise<{ default: ComponentType }>) => async () => ({ Component: (await load()).default });

/** Made once signed in: the router reads the location the sign-in left (not the callback's). */
const makeRouter = () =>
  createBrowserRouter(
    [
      {
        path: '/',
        Component: Layout,
        children: [
          { index: true, lazy: page(() => import('./pages/home')) },
          { path: 'users', lazy: page(() => import('./pages/users')) },
          { path: 'users/:id', lazy: page(() => import('./pages/user')) },
          { path: 'users/merge', lazy: page(() => import('./pages/merge')) },
          { path: 'accounts/*', lazy: page(() => import('./pages/accounts')) },
          { path: 'groups/*', lazy: page(() => import('./pages/groups')) },
          { path: 'audit', lazy: page(() => import('./pages/audit')) },
          { path: 'import', lazy: page(() => import('./pages/import')) },
          { path: 'settings/*', lazy: page(() => import('./pages/settings')) },
          { path: 'applications/*', lazy: page(() => import('./pages/applications')) },
          { path: '*', lazy: page(() => import('./pages/not-found')) },
        ],
      },
    ],
    { basename: BASE },
  );

export function App() {
  const [router] = useState(() => {
    prefetchMe(queryClient);
    return makeRouter();
  });
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
