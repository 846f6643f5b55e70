import type { Db, Executor } from '../db/database.js';
import type { ContactValue, PostalAddress } from '../domain/user.js';
import { contactRows } from './users.js';

/** A user's phone numbers and postal addresses (`user_values`), as the admin API reads and writes them. */
export interface PhonesAndAddresses {
  phoneNumbers: ContactValue[];
  addresses: PostalAddress[];
}

interface ValueRow {
  user_id: string;
  attribute: 'phoneNumbers' | 'addresses';
  value: string | null;
  type: string | null;
  display: string | null;
  is_primary: boolean;
  formatted: string | null;
  street_address: string | null;
  locality: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
}

const empty = (): PhonesAndAddresses => ({ phoneNumbers: [], addresses: [] });

/** Phones and addresses by user, in their order (emails stay with `users.syncPrimaryEmails` and SCIM). */
export function createUserContactsRepository(db: Db) {
  return {
    /** Every user given, with none for a user who has none: one statement for a page. */
    async of(userIds: readonly string[], trx: Executor = db): Promise<Map<string, PhonesAndAddresses>> {
      const out = new Map(userIds.map((id) => [id, empty()]));
      if (!userIds.length) return out;
      const rows: ValueRow[] = await trx('user_values')
        .select('*')
        .whereRaw('user_id = ANY(?::uuid[])', [userIds as string[]])
        .whereIn('attribute', ['phoneNumbers', 'addresses'])
        .orderBy([{ column: 'user_id' }, { column: 'attribute' }, { column: 'position' }]);
      for (const r of rows) {
        const entry = out.get(r.user_id) ?? empty();
        if (r.attribute === 'phoneNumbers')
          entry.phoneNumbers.push({ value: r.value ?? '', type: r.type, display: r.display, primary: r.is_primary });
        else
          entry.addresses.push({
            type: r.type,
            primary: r.is_primary,
            formatted: r.formatted,
            streetAddress: r.street_address,
            locality: r.locality,
            region: r.region,
            postalCode: r.postal_code,
            country: r.country,
          });
        out.set(r.user_id, entry);
      }
      return out;
    },

    /** Replaces the kinds given (phone numbers, addresses or both) of each user; the others stay. */
    async replace(
      changes: readonly ({ userId: string } & Partial<PhonesAndAddresses>)[],
      trx: Executor,
    ): Promise<void> {
      const rows: Record<string, unknown>[] = [];
      for (const c of changes) {
        const kinds = (['phoneNumbers', 'addresses'] as const).filter((k) => c[k] !== undefined);
        if (!kinds.length) continue;
        await trx('user_values').where('user_id', c.userId).whereIn('attribute', kinds).delete();
        const contacts = { emails: [], phoneNumbers: c.phoneNumbers ?? [], addresses: c.addresses ?? [] };
        for (const row of contactRows(contacts)) rows.push({ user_id: c.userId, ...row });
      }
      for (let i = 0; i < rows.length; i += 1000) await trx('user_values').insert(rows.slice(i, i + 1000));
    },
  };
}
export type UserContactsRepository = ReturnType<typeof createUserContactsRepository>;
