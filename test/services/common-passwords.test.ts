import test from 'ava';
import { evaluatePassword, type PasswordPolicy, type PasswordViolation } from '../../src/policies/password.js';
import { commonPasswordCheck, loadCommonPasswords } from '../../src/services/common-passwords.js';

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
