import type { Executor } from '../db/database.js';
import type { ContactValue, UserContacts } from '../domain/user.js';

function toRows(userId: string, contacts: UserContacts) {
  const values = (attribute: 'emails' | 'phoneNumbers', list: ContactValue[]) =>
    list.map((v, position) => ({ user_id: userId, attribute, position, value: v.value, type: v.type, display: v.display, is_primary: v.primary }));
  return [
    ...values('emails', contacts.emails),
    ...values('phoneNumbers', contacts.phoneNumbers),
    ...contacts.addresses.map((a, position) => ({
      user_id: userId,
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
 * They are read with the user, through the user directory.
 */
export function createUserValuesRepository() {
  async function insert(userId: string, contacts: UserContacts, trx: Executor): Promise<void> {
    const rows = toRows(userId, contacts);
    if (rows.length) await trx('user_values').insert(rows);
  }
  return {
    insert,
    async replace(userId: string, contacts: UserContacts, trx: Executor): Promise<void> {
      await trx('user_values').where('user_id', userId).delete();
      await insert(userId, contacts, trx);
    },
  };
}
export type UserValuesRepository = ReturnType<typeof createUserValuesRepository>;
