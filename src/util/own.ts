/**
 * `record[key]` only when the record itself holds `key`: a name a caller sends
 * (`constructor`, `__proto__`, `toString`) never reaches Object.prototype.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
