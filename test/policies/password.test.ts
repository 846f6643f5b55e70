import test from 'ava';
import type { CharacterClass } from '../../src/domain/settings.js';
import {
  evaluatePassword,
  type PasswordContext,
  type PasswordPolicy,
  type PasswordViolation,
} from '../../src/policies/password.js';
import { errorMessage } from '../../src/errors/codes.js';

/** The production defaults (src/config/config.ts). */
const DEFAULT_POLICY: PasswordPolicy = { minLength: 12, maxLength: 128, requireClasses: [], history: 5 };
const ALL_CLASSES: readonly CharacterClass[] = ['lower', 'upper', 'digit', 'symbol'];

const COMMON = new Set(['password1234', 'qwertyuiop123']);
const context = (extra: Partial<PasswordContext> = {}): PasswordContext => ({
  email: null,
  names: [],
  isCommon: (p) => COMMON.has(p.toLowerCase()),
  ...extra,
});

const EMOJI = '\u{1F600}'; // 😀: one code point, two UTF-16 units
const x = (n: number) => 'x'.repeat(n);

interface Row {
  name: string;
  password: string;
  context?: Partial<PasswordContext>;
  policy?: Partial<PasswordPolicy>;
  expected: PasswordViolation | null;
}

function table(group: string, rows: readonly Row[]) {
  for (const row of rows) {
    test(`${group}: ${row.name}`, (t) => {
      const policy = { ...DEFAULT_POLICY, ...row.policy };
      t.is(evaluatePassword(row.password, context(row.context), policy), row.expected);
    });
  }
}

table('length', [
  { name: 'empty is too short', password: '', expected: 'password.too_short' },
  { name: '11 characters (one below the minimum) is too short', password: x(11), expected: 'password.too_short' },
  { name: 'exactly 12 characters (the minimum) is accepted', password: x(12), expected: null },
  { name: 'exactly 128 characters (the maximum) is accepted', password: x(128), expected: null },
  { name: '129 characters (one above the maximum) is too long', password: x(129), expected: 'password.too_long' },
  {
    name: 'a raised minimum of 16: 15 characters is too short',
    password: x(15),
    policy: { minLength: 16 },
    expected: 'password.too_short',
  },
  {
    name: 'a raised minimum of 16: 16 characters is accepted',
    password: x(16),
    policy: { minLength: 16 },
    expected: null,
  },
  {
    name: 'a raised maximum of 256: 256 characters is accepted',
    password: x(256),
    policy: { maxLength: 256 },
    expected: null,
  },
  {
    name: 'a raised maximum of 256: 257 characters is too long',
    password: x(257),
    policy: { maxLength: 256 },
    expected: 'password.too_long',
  },
  { name: 'a passphrase with spaces counts its spaces', password: 'cat dog hat', expected: 'password.too_short' },
  { name: 'a 12-character passphrase with spaces is accepted', password: 'cat dog hats', expected: null },
]);

table('unicode length', [
  {
    name: 'an emoji counts as one character: 11 letters + emoji = 12 is accepted',
    password: x(11) + EMOJI,
    expected: null,
  },
  {
    name: 'an emoji counts as one character: 10 letters + emoji = 11 is too short',
    password: x(10) + EMOJI,
    expected: 'password.too_short',
  },
  { name: 'twelve emoji are twelve characters', password: EMOJI.repeat(12), expected: null },
  {
    name: 'eleven emoji are too short although they are 22 UTF-16 units',
    password: EMOJI.repeat(11),
    expected: 'password.too_short',
  },
  {
    name: 'an emoji counts as one character: 127 letters + emoji = 128 is accepted',
    password: x(127) + EMOJI,
    expected: null,
  },
  { name: '128 emoji (256 UTF-16 units) fit the maximum of 128', password: EMOJI.repeat(128), expected: null },
  { name: '129 emoji are too long', password: EMOJI.repeat(129), expected: 'password.too_long' },
  { name: 'accented letters count one each: 12 of them are accepted', password: 'éàüöñçøåæœßé', expected: null },
  {
    name: 'CJK characters count one each: 11 are too short',
    password: '密码密码密码密码密码密',
    expected: 'password.too_short',
  },
]);

const ALL_FOUR = 'Abcdefgh1234!';
table('character classes (all four required)', [
  {
    name: 'a password with lower, upper, digit and symbol is accepted',
    password: ALL_FOUR,
    policy: { requireClasses: ALL_CLASSES },
    expected: null,
  },
  {
    name: 'missing lower case is refused',
    password: 'ABCDEFGH1234!',
    policy: { requireClasses: ALL_CLASSES },
    expected: 'password.missing_class',
  },
  {
    name: 'missing upper case is refused',
    password: 'abcdefgh1234!',
    policy: { requireClasses: ALL_CLASSES },
    expected: 'password.missing_class',
  },
  {
    name: 'missing digit is refused',
    password: 'Abcdefghijkl!',
    policy: { requireClasses: ALL_CLASSES },
    expected: 'password.missing_class',
  },
  {
    name: 'missing symbol is refused',
    password: 'Abcdefgh1234',
    policy: { requireClasses: ALL_CLASSES },
    expected: 'password.missing_class',
  },
  {
    name: 'a space counts as a symbol (passphrases)',
    password: 'Abcd efgh 1234',
    policy: { requireClasses: ALL_CLASSES },
    expected: null,
  },
  {
    name: 'an emoji counts as a symbol',
    password: `Abcdefgh1234${EMOJI}`,
    policy: { requireClasses: ALL_CLASSES },
    expected: null,
  },
  {
    name: 'non-ASCII letters count as lower and upper case',
    password: 'Ébène-été-1234',
    policy: { requireClasses: ALL_CLASSES },
    expected: null,
  },
]);

table('character classes (one required)', [
  { name: 'lower required, present', password: 'ABCDEFGHIJKl', policy: { requireClasses: ['lower'] }, expected: null },
  {
    name: 'lower required, missing',
    password: 'ABCDEFGHIJKL',
    policy: { requireClasses: ['lower'] },
    expected: 'password.missing_class',
  },
  { name: 'upper required, present', password: 'abcdefghijkL', policy: { requireClasses: ['upper'] }, expected: null },
  {
    name: 'upper required, missing',
    password: 'abcdefghijkl',
    policy: { requireClasses: ['upper'] },
    expected: 'password.missing_class',
  },
  { name: 'digit required, present', password: 'abcdefghijk1', policy: { requireClasses: ['digit'] }, expected: null },
  {
    name: 'digit required, missing',
    password: 'abcdefghijk!',
    policy: { requireClasses: ['digit'] },
    expected: 'password.missing_class',
  },
  {
    name: 'symbol required, present',
    password: 'abcdefghijk-',
    policy: { requireClasses: ['symbol'] },
    expected: null,
  },
  {
    name: 'symbol required, missing',
    password: 'abcdefghijk1',
    policy: { requireClasses: ['symbol'] },
    expected: 'password.missing_class',
  },
  { name: 'no class required: lower case letters only are accepted', password: 'abcdefghijkl', expected: null },
]);

const ALICE: Partial<PasswordContext> = { email: 'Alice.Smith@Example.com', names: ['Alice', 'Smith'] };
table('personal data', [
  {
    name: 'the whole email address is refused',
    password: 'alice.smith@example.com!',
    context: ALICE,
    expected: 'password.contains_personal_data',
  },
  {
    name: 'the whole email address in upper case is refused',
    password: 'ALICE.SMITH@EXAMPLE.COM!',
    context: ALICE,
    expected: 'password.contains_personal_data',
  },
  {
    name: 'the email local part is refused',
    password: 'my-alice.smith-2026',
    context: { email: 'Alice.Smith@Example.com' },
    expected: 'password.contains_personal_data',
  },
  {
    name: 'a part of the local part is refused (dot separator)',
    password: 'blue-SMITH-horse-9',
    context: { email: 'alice.smith@example.com' },
    expected: 'password.contains_personal_data',
  },
  {
    name: 'a part of the local part is refused (underscore separator)',
    password: 'blue-horse-jones-9',
    context: { email: 'bob_jones@example.com' },
    expected: 'password.contains_personal_data',
  },
  {
    name: 'a part of the local part is refused (plus separator)',
    password: 'blue-horse-news-9',
    context: { email: 'carol+news@example.com' },
    expected: 'password.contains_personal_data',
  },
  {
    name: 'a part of the local part is refused (hyphen separator)',
    password: 'blue-horse-mary-9',
    context: { email: 'anne-mary@example.com' },
    expected: 'password.contains_personal_data',
  },
  {
    name: 'the email domain alone is not refused',
    password: 'example-horse-battery',
    context: { email: 'alice.smith@example.com' },
    expected: null,
  },
  {
    name: 'a given name in different case is refused',
    password: 'xxALICExx2026',
    context: { names: ['Alice'] },
    expected: 'password.contains_personal_data',
  },
  {
    name: 'a family name in different case is refused',
    password: 'correct-smith-horse',
    context: { names: ['SMITH'] },
    expected: 'password.contains_personal_data',
  },
  {
    name: 'a non-ASCII name in different case is refused',
    password: 'ÉMILIE-loves-2026',
    context: { names: ['Émilie'] },
    expected: 'password.contains_personal_data',
  },
  {
    name: 'each word of a multi-word name is refused',
    password: 'horse-battery-ann-9',
    context: { names: ['Mary Ann'] },
    expected: 'password.contains_personal_data',
  },
  {
    name: 'a name part of exactly 3 characters is refused',
    password: 'annual-report-9',
    context: { names: ['Ann'] },
    expected: 'password.contains_personal_data',
  },
  {
    name: 'short name parts (< 3 characters) are not refused',
    password: 'lilac-bottle-2026',
    context: { names: ['Li', 'Bo'] },
    expected: null,
  },
  {
    name: 'short parts of a multi-word name are not refused',
    password: 'lilac-bottle-2026',
    context: { names: ['Bo Li'] },
    expected: null,
  },
  {
    name: 'short email local part pieces are not refused',
    password: 'lilac-bottle-2026',
    context: { email: 'li.bo@example.com' },
    expected: null,
  },
  {
    name: 'a password not containing personal data is accepted',
    password: 'correct-horse-battery',
    context: ALICE,
    expected: null,
  },
  {
    name: 'missing email and names (null/undefined) are ignored',
    password: 'correct-horse-battery',
    context: { email: null, names: [null, undefined, ''] },
    expected: null,
  },
  {
    name: 'extra whitespace around names does not refuse everything',
    password: 'correct-horse-battery',
    context: { names: ['  Alice  ', ' '] },
    expected: null,
  },
  {
    name: 'no names given at all',
    password: 'correct-horse-battery',
    context: { email: undefined, names: undefined },
    expected: null,
  },
]);

table('common passwords', [
  { name: 'a listed password is refused', password: 'password1234', expected: 'password.too_common' },
  {
    name: 'a listed password in different case is refused',
    password: 'QwertyUiop123',
    expected: 'password.too_common',
  },
  { name: 'an unlisted password is accepted', password: 'violet-kettle-drum', expected: null },
]);

table('first violation wins', [
  {
    name: 'too short beats missing class',
    password: 'abc',
    policy: { requireClasses: ALL_CLASSES },
    expected: 'password.too_short',
  },
  {
    name: 'too long beats missing class',
    password: x(129),
    policy: { requireClasses: ALL_CLASSES },
    expected: 'password.too_long',
  },
  {
    name: 'missing class beats personal data',
    password: 'alice-smith-horse',
    context: ALICE,
    policy: { requireClasses: ['digit'] },
    expected: 'password.missing_class',
  },
  {
    name: 'personal data beats too common',
    password: 'alice-smith-horse',
    context: { ...ALICE, isCommon: () => true },
    expected: 'password.contains_personal_data',
  },
]);

test('isCommon receives the candidate password as typed', (t) => {
  const seen: string[] = [];
  const result = evaluatePassword(
    'Violet-Kettle-Drum',
    context({
      isCommon: (p) => {
        seen.push(p);
        return false;
      },
    }),
    DEFAULT_POLICY,
  );
  t.is(result, null);
  t.deepEqual(seen, ['Violet-Kettle-Drum']);
});

const MESSAGES: ReadonlyArray<{ code: PasswordViolation | 'password.reused'; mentions: readonly string[] }> = [
  { code: 'password.too_short', mentions: ['at least 12 characters'] },
  { code: 'password.too_long', mentions: ['at most 128 characters'] },
  { code: 'password.missing_class', mentions: ['lower', 'upper', 'digit', 'symbol'] },
  { code: 'password.contains_personal_data', mentions: ['email', 'name'] },
  { code: 'password.too_common', mentions: ['too common'] },
  { code: 'password.reused', mentions: ['last 5 passwords'] },
];

for (const row of MESSAGES) {
  test(`message for ${row.code} tells the user the rule`, (t) => {
    const message = errorMessage(row.code, { ...DEFAULT_POLICY, requireClasses: ALL_CLASSES });
    for (const m of row.mentions) t.true(message.includes(m), `"${message}" should mention "${m}"`);
  });
}

test('every violation evaluatePassword can return has a message', (t) => {
  const codes: PasswordViolation[] = [
    'password.too_short',
    'password.too_long',
    'password.missing_class',
    'password.contains_personal_data',
    'password.too_common',
  ];
  for (const code of codes) t.is(typeof errorMessage(code, DEFAULT_POLICY), 'string', code);
});

test('messages follow a changed policy', (t) => {
  const policy: PasswordPolicy = { minLength: 20, maxLength: 200, requireClasses: ['digit'], history: 3 };
  t.true(errorMessage('password.too_short', policy).includes('20'));
  t.true(errorMessage('password.too_long', policy).includes('200'));
  t.true(errorMessage('password.missing_class', policy).includes('digit'));
  t.false(errorMessage('password.missing_class', policy).includes('symbol'));
  t.true(errorMessage('password.reused', policy).includes('last 3 passwords'));
});
