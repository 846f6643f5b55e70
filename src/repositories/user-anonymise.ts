import type { Executor } from '../db/database.js';
import type { Status } from '../domain/user.js';

/** Every personal column of `users`, cleared (SCIM profile included); `user_code` is replaced apart. */
const CLEARED_COLUMNS = [
  'email',
  'title',
  'given_name',
  'middle_name',
  'family_name',
  'external_id',
  'preferred_language',
  'timezone',
  'display_name',
  'nick_name',
  'name_formatted',
  'honorific_suffix',
  'job_title',
  'user_type',
  'locale',
  'profile_url',
  'employee_number',
  'cost_center',
  'division',
  'department',
  'password_hash',
  'password_changed_at',
  'locked_until',
  'status_before_lock',
  'mfa_locked_until',
] as const;

/** What the erasure touched, for the one audit event that stays (counts, no personal data). */
export interface Erasure {
  status: { before: Status; after: Status };
  auditEventsRemoved: number;
  mailsBlanked: number;
}

/**
 * Erases a user's personal data, inside the caller's transaction: the record's
 * personal fields, contacts, password and its history, reset links, invitation,
 * the audit events about them (and their name on events they caused), and the
 * copies of mails sent to any of their addresses. Second factors go through the
 * MFA factors repository, sessions through the OIDC payloads.
 */
export function createUserAnonymiseRepository() {
  return {
    async anonymisedAt(userId: string, trx: Executor): Promise<Date | null> {
      const row = await trx('users').select('anonymised_at').where({ id: userId }).first();
      return row?.anonymised_at ? new Date(row.anonymised_at) : null;
    },

    async erase(userId: string, userCode: string, trx: Executor): Promise<Erasure> {
      // Addresses first, while the record and its contacts still hold them.
      const { rows: addresses } = (await trx.raw(
        `SELECT lower(email) AS address FROM users WHERE id = ? AND email IS NOT NULL
         UNION SELECT lower(value) FROM user_values WHERE user_id = ? AND attribute = 'emails' AND value IS NOT NULL`,
        [userId, userId],
      )) as { rows: { address: string }[] };
      const mailsBlanked = addresses.length
        ? await trx('mail_outbox')
            .whereRaw('lower("to") = ANY(?)', [addresses.map((a) => a.address)])
            .update({ to: '', subject: '', text: '', html: null })
        : 0;

      const [before] = await trx('users').select('status').where({ id: userId });
      const [after] = await trx('users')
        .where({ id: userId })
        .update({
          ...Object.fromEntries(CLEARED_COLUMNS.map((c) => [c, null])),
          user_code: userCode,
          tags: [],
          custom_attributes: JSON.stringify({}),
          failed_attempts: 0,
          mfa_failed_attempts: 0,
          status: trx.raw("CASE WHEN status IN ('inactive', 'deleted') THEN status ELSE 'inactive' END"),
          anonymised_at: trx.fn.now(),
          updated_at: trx.fn.now(),
          version: trx.raw('version + 1'),
        })
        .returning('status');

      for (const table of ['user_values', 'password_history', 'password_reset_tokens', 'invitations']) {
        await trx(table).where('user_id', userId).delete();
      }
      const auditEventsRemoved = await trx('audit_events').where('target_id', userId).delete();
      await trx('audit_events').where('actor_id', userId).whereNotNull('actor_name').update({ actor_name: null });
      return { status: { before: before.status, after: after.status }, auditEventsRemoved, mailsBlanked };
    },
  };
}
export type UserAnonymiseRepository = ReturnType<typeof createUserAnonymiseRepository>;
