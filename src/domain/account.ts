export const ACCOUNT_KINDS = ['provider', 'customer', 'guest'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** The built-in account for people with no employer; created by the first migration. */
export const GUEST_ACCOUNT_ID = '00000000-0000-4000-8000-000000000001';

export interface Account {
  id: string;
  name: string;
  kind: AccountKind;
  createdAt: Date;
  updatedAt: Date;
}
