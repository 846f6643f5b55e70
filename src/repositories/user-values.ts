import type { Db, Executor } from '../db/database.js';
import type { ContactValue, PostalAddress, UserContacts } from '../domain/user.js';

const empty = (): UserContacts => ({ emails: [], phoneNumbers: [], addresses: [] });

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

function addRow(contacts: UserContacts, r: any): void {
  if (r.attribute === 'addresses') {
    const address: PostalAddress = {
      type: r.type,
      primary: r.is_primary,
      formatted: r.formatted,
      streetAddress: r.street_address,
      locality: r.locality,
      region: r.region,
      postalCode: r.postal_code,
      country: r.country,
    };
    contacts.addresses.push(address);
  } else {
    (contacts[r.attribute as 'emails' | 'phoneNumbers']).push({ value: r.value, type: r.type, display: r.display, primary: r.is_primary });
  }
}

/** Emails, phone numbers and addresses: one row per value, in the order given. */
export function createUserValuesRepository(db: Db) {
  return {
    async replace(userId: string, contacts: UserContacts, trx: Executor): Promise<void> {
      await trx('user_values').where('user_id', userId).delete();
      const rows = toRows(userId, contacts);
      if (rows.length) await trx('user_values').insert(rows);
    },

    /** Contacts of many users at once (a page of results). */
    async forUsers(userIds: string[], trx: Executor = db): Promise<Map<string, UserContacts>> {
      const byUser = new Map(userIds.map((id) => [id, empty()]));
      if (!userIds.length) return byUser;
      const rows = await trx('user_values').whereIn('user_id', userIds).orderBy(['user_id', 'attribute', 'position']);
      for (const r of rows) addRow(byUser.get(r.user_id)!, r);
      return byUser;
    },
  };
}
export type UserValuesRepository = ReturnType<typeof createUserValuesRepository>;
