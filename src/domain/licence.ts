/** A kind of licence users hold (`office`, `intranet`, `guest` …), with an optional number of seats. */
export interface LicenceType {
  id: string;
  /** Lower-case letters, digits, `_`, `.`, `-`: how tokens, filters and CSV files name it. */
  key: string;
  name: string;
  /** At most this many users (not deleted) hold it; null: no limit. */
  seats: number | null;
  /** Users (not deleted) who hold it now. */
  seatsUsed: number;
  /** Sign-in needs at least one licence of a type marked so (when any type is). */
  requiredToSignIn: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** A licence a user holds. */
export interface UserLicence {
  key: string;
  name: string;
  requiredToSignIn: boolean;
  assignedAt: Date;
}

/** How a licence key is written. */
export const LICENCE_KEY = /^[a-z0-9][a-z0-9_.-]*$/;
export const LICENCE_KEY_MAX = 64;
