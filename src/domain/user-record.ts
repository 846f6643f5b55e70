/**
 * Standard fields a super admin may make required (setting `requiredFields`):
 * every write path (admin API, CSV import, SCIM) then refuses a user without
 * them. `mainAccount` means a main account other than the guest account;
 * `phoneNumbers` and `addresses` at least one.
 */
export const REQUIRABLE_FIELDS = [
  'email',
  'givenName',
  'familyName',
  'middleName',
  'displayName',
  'title',
  'mainAccount',
  'externalId',
  'jobTitle',
  'department',
  'division',
  'costCenter',
  'employeeNumber',
  'preferredLanguage',
  'locale',
  'timezone',
  'phoneNumbers',
  'addresses',
] as const;
export type RequirableField = (typeof REQUIRABLE_FIELDS)[number];
