import { Suspense, useSyncExternalStore } from 'react';
import { Button } from 'react-aria-components';
import { NavLink, Outlet } from 'react-router';
import { sessionEnded, signInAgain, signOut, subscribe } from './auth';
import { FormDialog } from './components/confirm-dialog';
import { Toasts } from './components/toasts';
import { useMe } from './me';
import type { AdminAction } from './types';
import { nameOf } from './types';

/** The main navigation: what the administrator's role is not allowed is not offered. */
const SECTIONS: { to: string; label: string; needs: AdminAction }[] = [
  { to: '/users', label: 'Users', needs: 'users.read' },
  { to: '/accounts', label: 'Accounts', needs: 'directory.read' },
  { to: '/groups', label: 'Groups', needs: 'directory.read' },
  { to: '/audit', label: 'Audit log', needs: 'audit.read' },
  { to: '/import', label: 'Import', needs: 'users.import' },
  { to: '/settings', label: 'Settings', needs: 'settings' },
  { to: '/applications', label: 'Applications', needs: 'settings' },
];

export function Layout() {
  const { me, can, loading } = useMe();
  const ended = useSyncExternalStore(subscribe, sessionEnded);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <NavLink to="/" className="brand">
          Gatehouse
        </NavLink>
        <span className="who">{me ? nameOf(me) : ''}</span>
        <Button className="link-button" onPress={() => void signOut()}>
          Sign out
        </Button>
      </header>
      <nav aria-label="Main" className="main-nav">
        <ul>
          {SECTIONS.filter((s) => can(s.needs)).map((s) => (
            <li key={s.to}>
              <NavLink to={s.to}>{s.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {loading ? (
          <p>Loading…</p>
        ) : (
          <Suspense fallback={<p>Loading…</p>}>
            <Outlet />
          </Suspense>
        )}
      </main>
      <Toasts />
      <FormDialog isOpen={ended} title="Your session has ended" onClose={() => void signInAgain()}>
        <p>Sign in again to go on; you come back to this page.</p>
        <div className="actions">
          <Button className="primary" onPress={() => void signInAgain()}>
            Sign in again
          </Button>
        </div>
      </FormDialog>
    </>
  );
}
