import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, query } from '../api';
import { ErrorNote } from '../components/fields';
import { PageTitle } from '../components/page-title';
import { useMe } from '../me';
import type { Page as UserPage, User } from '../types';

interface ImportJob {
  status: 'running' | 'succeeded' | 'failed';
  dryRun: boolean;
  failed: number;
}

/** The users filters the home page counts: the users grid reads the same names from its address. */
const USER_CARDS = [
  { title: 'Pending approvals', filter: { status: 'pending' }, about: 'Signed up and waiting for an administrator' },
  {
    title: 'Locked users',
    filter: { status: 'locked' },
    about: 'Locked after failed sign-ins, or by an administrator',
  },
  { title: 'Never signed in', filter: { neverSignedIn: 'true' }, about: 'Users who have not signed in yet' },
] as const;

/** An import needs a look when it failed, or (for real, not a dry run) skipped bad rows. */
const importNeedsAttention = (j: ImportJob) => j.status === 'failed' || (!j.dryRun && j.failed > 0);

/** What needs attention: each card counts and links to the list that shows it. */
export default function Page() {
  const { can } = useMe();
  return (
    <>
      <PageTitle title="Home">What needs attention</PageTitle>
      {can('users.read') || can('users.import') ? (
        <ul className="cards">
          {can('users.read') && USER_CARDS.map((card) => <UserCountCard key={card.title} {...card} />)}
          {can('users.import') && <FailedImportsCard />}
        </ul>
      ) : (
        <p className="notice">Your role has nothing to administer here.</p>
      )}
    </>
  );
}

function Card(props: { to: string; title: string; count: number | undefined; about: string; error: unknown }) {
  return (
    <li className="card">
      <Link to={props.to} className="card-link">
        <span className="figure">{props.count ?? '…'}</span> <span className="card-title">{props.title}</span>
      </Link>
      <p className="muted">{props.about}</p>
      <ErrorNote error={props.error} />
    </li>
  );
}

function UserCountCard(props: (typeof USER_CARDS)[number]) {
  const count = useQuery({
    queryKey: ['users', 'count', props.filter],
    queryFn: () => api<UserPage<User>>(`/users${query({ ...props.filter, limit: 1 })}`),
  });
  return (
    <Card
      to={`/users${query(props.filter)}`}
      title={props.title}
      count={count.data?.total}
      about={props.about}
      error={count.error}
    />
  );
}

function FailedImportsCard() {
  const jobs = useQuery({ queryKey: ['imports'], queryFn: () => api<{ items: ImportJob[] }>('/imports') });
  return (
    <Card
      to="/import"
      title="Failed imports"
      count={jobs.data?.items.filter(importNeedsAttention).length}
      about="Recent imports that failed or skipped bad rows"
      error={jobs.error}
    />
  );
}
