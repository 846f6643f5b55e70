/** The directory's records as the admin API answers them (accounts, account groups, groups). */
export interface Account {
  id: string;
  name: string;
  kind: 'provider' | 'customer' | 'guest';
  userCount: number;
  accountGroupIds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface AccountGroup {
  id: string;
  name: string;
  accountIds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Group {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface GroupDetails extends Group {
  members: { id: string; display: string }[];
}

/** An offset-paged list of the directory. */
export interface Listing<T> {
  items: T[];
  total: number;
}

export const KIND_LABELS: Record<Account['kind'], string> = {
  provider: 'Provider',
  customer: 'Customer',
  guest: 'Guest (built in)',
};
