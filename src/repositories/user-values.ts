import type { Executor } from '../db/database.js';
import type { ContactValue, UserContacts } from '../domain/user.js';

/** The `user_values` rows of some contacts, without their user. */
export function contactRows(contacts: UserContacts) {
  const values = (attribute: 'emails' | 'phoneNumbers', list: ContactValue[]) =>
    list.map((v, position) => ({ attribute, position, value: v.value, type: v.type, display: v.display, is_primary: v.primary }));
  return [
    ...values('emails', contacts.emails),
    ...values('phoneNumbers', contacts.phoneNumbers),
    ...contacts.addresses.map((a, position) => ({
      attribute: 'addresses',
      position,
      type: a.type,
      is_primary: a.primary,
      formatted: a.formatted,
      street_address: a.streetAddress,
      locality: a.locality,
      region: a.region,
      postal_code: a.postalCode,
      country: a.country,
    })),
  ];
}

/**
 * Emails, phone numbers and addresses: one row per value, in the order given.
 * A new user's are written with the user (`users.create`); all are read with the
 * user, through the user directory.
 */
export function createUserValuesRepository() {
  return {
    async replace(userId: string, contacts: UserContacts, trx: Executor): Promise<void> {
      await trx('user_values').where('user_id', userId).delete();
      const rows = contactRows(contacts).map((r) => ({ ...r, user_id: userId }));
      if (rows.length) await trx('user_values').insert(rows);
    },
  };
}
export type UserValuesRepository = ReturnType<typeof createUserValuesRepository>;
