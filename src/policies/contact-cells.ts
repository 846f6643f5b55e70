import type { ContactValue, PostalAddress } from '../domain/user.js';

/**
 * Phones and the main address as CSV cells (export and import):
 *
 *   phoneNumbers   `type:number` items separated by `;`, the primary first:
 *                  `work:+49 30 1234567;mobile:+49 170 1234567` (a number without
 *                  a type is just the number)
 *   streetAddress, locality, region, postalCode, country
 *                  the parts of the main address (the primary one, else the first);
 *                  an import writes the parts given into it (a new one has type work)
 */
export const ADDRESS_COLUMNS = ['streetAddress', 'locality', 'region', 'postalCode', 'country'] as const;
export type AddressColumn = (typeof ADDRESS_COLUMNS)[number];
export const CONTACT_COLUMNS = ['phoneNumbers', ...ADDRESS_COLUMNS] as const;
export type ContactColumn = (typeof CONTACT_COLUMNS)[number];

const MAX_PHONES = 20;
const MAX_PHONE_LENGTH = 100;

const mainAddress = (addresses: readonly PostalAddress[]) => addresses.find((a) => a.primary) ?? addresses[0];

export function contactCell(
  contacts: { phoneNumbers: readonly ContactValue[]; addresses: readonly PostalAddress[] },
  column: ContactColumn,
): string | null {
  if (column === 'phoneNumbers') {
    const phones = [...contacts.phoneNumbers].sort((a, b) => Number(b.primary) - Number(a.primary));
    return phones.length ? phones.map((p) => (p.type ? `${p.type}:${p.value}` : p.value)).join(';') : null;
  }
  return mainAddress(contacts.addresses)?.[column] ?? null;
}

/** A `phoneNumbers` cell as phones (the first primary), or why it is not one. */
export function parsePhones(cell: string): { ok: true; phones: ContactValue[] } | { ok: false; message: string } {
  const items = cell
    .split(';')
    .map((i) => i.trim())
    .filter(Boolean);
  if (items.length > MAX_PHONES) return { ok: false, message: `At most ${MAX_PHONES} phone numbers.` };
  const phones = items.map((item, i): ContactValue => {
    const m = /^([A-Za-z][\w-]{0,49})\s*:\s*(.+)$/.exec(item);
    return { value: (m ? m[2] : item) ?? item, type: m ? (m[1] ?? null) : null, display: null, primary: i === 0 };
  });
  if (phones.some((p) => p.value.length > MAX_PHONE_LENGTH))
    return { ok: false, message: `A phone number is longer than ${MAX_PHONE_LENGTH} characters.` };
  return { ok: true, phones };
}

/** The addresses with the parts given written into the main one (a new primary `work` address when there is none). */
export function withAddressParts(
  addresses: readonly PostalAddress[],
  parts: Partial<Record<AddressColumn, string>>,
): PostalAddress[] {
  const main = mainAddress(addresses);
  if (main) return addresses.map((a) => (a === main ? { ...a, ...parts } : a));
  return [
    {
      type: 'work',
      primary: true,
      formatted: null,
      streetAddress: null,
      locality: null,
      region: null,
      postalCode: null,
      country: null,
      ...parts,
    },
  ];
}
