import { z } from 'zod';
import { CUSTOM_FIELD_KEY, CUSTOM_FIELD_TYPES } from '../../../domain/custom-field.js';
import type { ContactValue, PostalAddress, User } from '../../../domain/user.js';
import type { PhonesAndAddresses } from '../../../repositories/user-contacts.js';
import { timestamp, USER_SCHEMA, userJson } from './schemas.js';

/** The user record's phones, addresses and custom fields as the admin API reads and writes them. */

const part = (max = 200) => z.string().trim().max(max).nullable().optional();
const onePrimary = (items: { primary?: boolean }[]) => items.filter((i) => i.primary).length <= 1;

export const PHONE_NUMBER = z.object({
  value: z.string(),
  type: z.string().nullable().describe('work, mobile, home, fax, …'),
  display: z.string().nullable(),
  primary: z.boolean(),
});
export const ADDRESS = z.object({
  type: z.string().nullable().describe('work, home, other'),
  primary: z.boolean(),
  formatted: z.string().nullable(),
  streetAddress: z.string().nullable(),
  locality: z.string().nullable(),
  region: z.string().nullable(),
  postalCode: z.string().nullable(),
  country: z.string().nullable().describe('ISO 3166-1 alpha-2, as SCIM has it'),
});

const PHONE_INPUT = z.object({
  value: z.string().trim().min(1).max(100),
  type: part(50),
  display: part(100),
  primary: z.boolean().optional(),
});
const ADDRESS_INPUT = z
  .object({
    type: part(50),
    primary: z.boolean().optional(),
    formatted: part(1000),
    streetAddress: part(500),
    locality: part(),
    region: part(),
    postalCode: part(50),
    country: part(100),
  })
  .refine(
    (a) => [a.formatted, a.streetAddress, a.locality, a.region, a.postalCode, a.country].some(Boolean),
    'an address needs at least one of formatted, streetAddress, locality, region, postalCode, country',
  );

/** Writable on POST and PATCH /users: each list replaces the user's list (in the order given, one primary at most). */
export const CONTACT_FIELDS = {
  phoneNumbers: z.array(PHONE_INPUT).max(20).refine(onePrimary, 'at most one primary').optional(),
  addresses: z.array(ADDRESS_INPUT).max(10).refine(onePrimary, 'at most one primary').optional(),
};

export const toPhones = (list: z.output<typeof CONTACT_FIELDS.phoneNumbers>): ContactValue[] | undefined =>
  list?.map((p) => ({ value: p.value, type: p.type ?? null, display: p.display ?? null, primary: p.primary ?? false }));
export const toAddresses = (list: z.output<typeof CONTACT_FIELDS.addresses>): PostalAddress[] | undefined =>
  list?.map((a) => ({
    type: a.type ?? null,
    primary: a.primary ?? false,
    formatted: a.formatted ?? null,
    streetAddress: a.streetAddress ?? null,
    locality: a.locality ?? null,
    region: a.region ?? null,
    postalCode: a.postalCode ?? null,
    country: a.country ?? null,
  }));

/** A user with their phones and addresses. */
export const USER_RECORD = USER_SCHEMA.extend({ phoneNumbers: z.array(PHONE_NUMBER), addresses: z.array(ADDRESS) });
export const recordJson = (user: User, contacts: PhonesAndAddresses | undefined) => ({
  ...userJson(user),
  phoneNumbers: contacts?.phoneNumbers ?? [],
  addresses: contacts?.addresses ?? [],
});

export const CUSTOM_FIELD = z.object({
  key: z.string(),
  label: z.string(),
  type: z.enum(CUSTOM_FIELD_TYPES),
  options: z.array(z.string()),
  required: z.boolean(),
  claim: z.boolean(),
  position: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const CUSTOM_FIELD_CHANGES = {
  label: z.string().trim().min(1).max(200),
  options: z
    .array(z.string().trim().min(1).max(200))
    .max(500)
    .describe('The values of a field of type option (at least one, each once); none for other types'),
  required: z.boolean().describe('Every write path refuses a user without a value'),
  claim: z.boolean().describe('Shown in ID tokens and userinfo under the profile scope, named after the key'),
  position: z.number().int().min(0).max(10_000).describe('Order in lists and exports'),
};
export const NEW_CUSTOM_FIELD = z
  .object({
    key: z.string().regex(CUSTOM_FIELD_KEY, 'a letter, then letters, digits or _ (at most 63)'),
    type: z.enum(CUSTOM_FIELD_TYPES),
    ...CUSTOM_FIELD_CHANGES,
    options: CUSTOM_FIELD_CHANGES.options.default([]),
    required: CUSTOM_FIELD_CHANGES.required.default(false),
    claim: CUSTOM_FIELD_CHANGES.claim.default(false),
    position: CUSTOM_FIELD_CHANGES.position.optional(),
  })
  .strict();
export const customFieldJson = (f: { createdAt: Date; updatedAt: Date; key: string }) => ({
  ...f,
  createdAt: new Date(f.createdAt).toISOString(),
  updatedAt: new Date(f.updatedAt).toISOString(),
});
