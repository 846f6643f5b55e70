/**
 * The value, where the code has just written or checked it and its absence would be
 * a bug (a row read back in its own transaction, a pattern that has matched): throws
 * instead of carrying `undefined` on, as a non-null assertion would.
 */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what}: expected a value, found ${value}`);
  return value;
}
