/** An invitation as stored (none: never invited, or a scheduled one was cancelled). */
export interface InvitationRecord {
  scheduledAt: Date | null;
  sentAt: Date | null;
  /** When the user completed the link of the last invitation mail (every send clears it). */
  confirmedAt: Date | null;
}
