import { useQuery } from '@tanstack/react-query';
import { api } from '../../api';
import { nameOf, type User } from '../../types';

/** An event as `GET /audit` answers it. */
export interface AuditEvent {
  id: number;
  at: string;
  actor: { type: string; id: string | null; name: string | null; onBehalfOf: string | null };
  action: string;
  targetType: string | null;
  targetId: string | null;
  changes: Record<string, [unknown, unknown]> | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

/** A user's name from their id (one request per user, cached); the id itself when they are gone or out of reach. */
function UserName({ id, fallback }: { id: string; fallback?: string | null }) {
  const user = useQuery({
    queryKey: ['users', id, 'details'],
    queryFn: () => api<{ user: User }>(`/users/${id}`),
    staleTime: 5 * 60_000,
    placeholderData: undefined,
  });
  return <>{user.data ? nameOf(user.data.user) : (fallback ?? id)}</>;
}

const ACTOR_TYPES: Record<string, string> = {
  client: 'Application',
  scim_token: 'SCIM token',
  system: 'Gatehouse',
  cli: 'Command line',
  anonymous: 'Someone not signed in',
};

/** Who acted, as a person reads it: "Ada Admin as Bob User" while impersonating. */
export function ActorName({ actor }: { actor: AuditEvent['actor'] }) {
  if (actor.type !== 'user' || !actor.id) return <>{actor.name ?? ACTOR_TYPES[actor.type] ?? actor.type}</>;
  if (actor.onBehalfOf)
    return (
      <>
        <UserName id={actor.id} /> as <UserName id={actor.onBehalfOf} />
      </>
    );
  return <UserName id={actor.id} fallback={actor.name} />;
}

/** What the event is about: a user by name, anything else by its type and id. */
export function TargetName({ event }: { event: AuditEvent }) {
  if (!event.targetId) return null;
  if (event.targetType === 'user') return <UserName id={event.targetId} />;
  return (
    <>
      {event.targetType} {event.targetId}
    </>
  );
}
