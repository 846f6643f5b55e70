import test from 'ava';
import type { InvitationRecord } from '../../src/domain/invitation.js';
import { INVITATION_STATES, invitationState, type InvitationState } from '../../src/policies/invitation.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 28, 9, minute));

/** An invitation's state from what is stored and the user's last sign-in. */
const TABLE: ReadonlyArray<{
  name: string;
  invitation?: InvitationRecord;
  lastSignInAt: Date | null;
  state: InvitationState;
  confirmedAt: Date | null;
}> = [
  { name: 'never invited', lastSignInAt: null, state: 'not_invited', confirmedAt: null },
  { name: 'never invited, but signed in', lastSignInAt: at(5), state: 'not_invited', confirmedAt: null },
  {
    name: 'an empty row',
    invitation: { scheduledAt: null, sentAt: null, confirmedAt: null },
    lastSignInAt: null,
    state: 'not_invited',
    confirmedAt: null,
  },
  {
    name: 'scheduled, not sent yet',
    invitation: { scheduledAt: at(30), sentAt: null, confirmedAt: null },
    lastSignInAt: null,
    state: 'scheduled',
    confirmedAt: null,
  },
  {
    name: 'scheduled, signed in before (no mail yet)',
    invitation: { scheduledAt: at(30), sentAt: null, confirmedAt: null },
    lastSignInAt: at(1),
    state: 'scheduled',
    confirmedAt: null,
  },
  {
    name: 'due but the scheduler has not run',
    invitation: { scheduledAt: at(0), sentAt: null, confirmedAt: null },
    lastSignInAt: null,
    state: 'scheduled',
    confirmedAt: null,
  },
  {
    name: 'sent now, no answer',
    invitation: { scheduledAt: null, sentAt: at(10), confirmedAt: null },
    lastSignInAt: null,
    state: 'pending',
    confirmedAt: null,
  },
  {
    name: 'sent as scheduled, no answer',
    invitation: { scheduledAt: at(5), sentAt: at(5), confirmedAt: null },
    lastSignInAt: null,
    state: 'pending',
    confirmedAt: null,
  },
  {
    name: 'sent, signed in only before it',
    invitation: { scheduledAt: null, sentAt: at(10), confirmedAt: null },
    lastSignInAt: at(9),
    state: 'pending',
    confirmedAt: null,
  },
  {
    name: 'sent, link completed',
    invitation: { scheduledAt: null, sentAt: at(10), confirmedAt: at(20) },
    lastSignInAt: null,
    state: 'confirmed',
    confirmedAt: at(20),
  },
  {
    name: 'sent, link completed and signed in',
    invitation: { scheduledAt: null, sentAt: at(10), confirmedAt: at(20) },
    lastSignInAt: at(25),
    state: 'confirmed',
    confirmedAt: at(20),
  },
  {
    name: 'sent, signed in after it',
    invitation: { scheduledAt: null, sentAt: at(10), confirmedAt: null },
    lastSignInAt: at(11),
    state: 'confirmed',
    confirmedAt: at(11),
  },
  {
    name: 'sent, signed in at the same instant',
    invitation: { scheduledAt: null, sentAt: at(10), confirmedAt: null },
    lastSignInAt: at(10),
    state: 'confirmed',
    confirmedAt: at(10),
  },
];

for (const row of TABLE) {
  test(`${row.name}: ${row.state}`, (t) => {
    t.deepEqual(invitationState(row.invitation, row.lastSignInAt), { state: row.state, confirmedAt: row.confirmedAt });
  });
}

test('the table reaches every state', (t) => {
  t.deepEqual([...new Set(TABLE.map((r) => r.state))].sort(), [...INVITATION_STATES].sort());
});
