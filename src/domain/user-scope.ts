/** Whom a caller's user actions reach: everyone, or the users employed by some accounts. */
export type UserScope =
  | { all: true }
  | { all: false; accountIds: readonly string[]; accountGroupIds: readonly string[] };
