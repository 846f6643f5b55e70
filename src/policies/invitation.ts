import type { InvitationRecord } from '../domain/invitation.js';

/**
 * Where a user's invitation stands, as administrators know it:
 *
 *   not_invited ──schedule──▶ scheduled ──due: mail sent──▶ pending ──link used / signed in──▶ confirmed
 *        │                        │ cancel                     ▲  │
 *        └──────invite now────────┴────────────────────────────┘  └─ invite again: pending, new link
 */
export const INVITATION_STATES = ['not_invited', 'scheduled', 'pending', 'confirmed'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

export interface InvitationStanding {
  state: InvitationState;
  /** The link completed, or else the sign-in that confirmed it. */
  confirmedAt: Date | null;
}

/**
 * The state of an invitation: scheduled until its mail goes; then pending until
 * the user completes the link (sets their password) or signs in after it was sent.
 */
export function invitationState(
  invitation: InvitationRecord | undefined,
  lastSignInAt: Date | null,
): InvitationStanding {
  if (!invitation || (!invitation.sentAt && !invitation.scheduledAt))
    return { state: 'not_invited', confirmedAt: null };
  if (!invitation.sentAt) return { state: 'scheduled', confirmedAt: null };
  if (invitation.confirmedAt) return { state: 'confirmed', confirmedAt: invitation.confirmedAt };
  if (lastSignInAt && lastSignInAt.getTime() >= invitation.sentAt.getTime())
    return { state: 'confirmed', confirmedAt: lastSignInAt };
  return { state: 'pending', confirmedAt: null };
}
