import test from 'ava';
import fc from 'fast-check';
import { GUEST_ACCOUNT_ID } from '../../src/domain/account.js';
import type { CustomField } from '../../src/domain/custom-field.js';
import {
  canonicalRecord,
  checkUserRecord,
  customValueProblem,
  isIsoDate,
  parseCustomValue,
  type RecordRules,
} from '../../src/policies/user-record.js';

const field = (f: Partial<CustomField> & Pick<CustomField, 'key' | 'type'>): CustomField => ({
  label: f.key,
  options: [],
  required: false,
  claim: false,
  position: 0,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...f,
});
const NONE: RecordRules = { requiredFields: [], customFields: [] };
const codes = (record: Parameters<typeof checkUserRecord>[0], rules: RecordRules = NONE) =>
  checkUserRecord(record, rules).map((p) => `${p.code} ${p.field}`);

test('an empty record passes when nothing is required', (t) => {
  t.deepEqual(codes({}), []);
});

test('required fields: blank, whitespace and the guest account count as missing', (t) => {
  const rules: RecordRules = {
    requiredFields: ['email', 'givenName', 'mainAccount', 'phoneNumbers'],
    customFields: [],
  };
  t.deepEqual(codes({ email: ' ', givenName: null, mainAccountId: GUEST_ACCOUNT_ID, phoneNumbers: [] }, rules), [
    'user.field_required email',
    'user.field_required givenName',
    'user.field_required mainAccount',
    'user.field_required phoneNumbers',
  ]);
  const full = { email: 'a@b.c', givenName: 'A', mainAccountId: 'a1', phoneNumbers: [{ value: '1' }] };
  t.deepEqual(codes(full, rules), []);
});

test('languages: supported BCP 47 tags in any case or with _, nothing else', (t) => {
  for (const ok of ['en', 'en-GB', 'en_gb', 'DE-ch', 'fr-CA', 'es-419', 'es-MX'])
    t.deepEqual(codes({ preferredLanguage: ok, locale: ok }), [], ok);
  for (const bad of ['english', 'ja-JP', 'zh', 'en-', '--', 'x'])
    t.deepEqual(codes({ locale: bad }), ['user.invalid_language locale'], bad);
  t.like(canonicalRecord({ preferredLanguage: 'en_gb', locale: 'es-mx', timezone: 'europe/paris' }), {
    preferredLanguage: 'en-GB',
    locale: 'es-MX',
    timezone: 'Europe/Paris',
  });
});

test('time zones: IANA names (and UTC), not offsets or made-up places', (t) => {
  for (const ok of ['UTC', 'Europe/Berlin', 'america/new_york', 'Asia/Kolkata', 'Etc/GMT+1'])
    t.deepEqual(codes({ timezone: ok }), [], ok);
  for (const bad of ['+01:00', 'GMT+1:00', 'Mars/Base', 'Berlin', '-05:00'])
    t.deepEqual(codes({ timezone: bad }), ['user.invalid_timezone timezone'], bad);
});

test('custom values are of their field type; a required field needs a value', (t) => {
  const rules: RecordRules = {
    requiredFields: [],
    customFields: [
      field({ key: 'n', type: 'number', required: true }),
      field({ key: 'd', type: 'date' }),
      field({ key: 'b', type: 'boolean' }),
      field({ key: 'o', type: 'option', options: ['A', 'B'] }),
      field({ key: 't', type: 'text' }),
    ],
  };
  t.deepEqual(codes({ customAttributes: { n: 1, d: '2024-02-29', b: false, o: 'B', t: 'x', other: [1] } }, rules), []);
  t.deepEqual(codes({ customAttributes: { n: '1', d: '2023-02-29', b: 'no', o: 'a', t: 5 } }, rules), [
    'user.invalid_custom_field customAttributes.n',
    'user.invalid_custom_field customAttributes.d',
    'user.invalid_custom_field customAttributes.b',
    'user.invalid_custom_field customAttributes.o',
    'user.invalid_custom_field customAttributes.t',
  ]);
  t.deepEqual(codes({ customAttributes: {} }, rules), ['user.field_required customAttributes.n']);
});

test('isIsoDate agrees with the calendar for every day of 1900–2100', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1900, max: 2100 }),
      fc.integer({ min: 1, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      (y, m, d) => {
        const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const real = new Date(Date.UTC(y, m - 1, d));
        const exists = m <= 12 && d >= 1 && real.getUTCMonth() === m - 1 && real.getUTCDate() === d;
        return isIsoDate(text) === exists;
      },
    ),
  );
  t.pass();
});

test('parseCustomValue: what it accepts passes the field check, and numbers round-trip', (t) => {
  const types = [
    field({ key: 'n', type: 'number' }),
    field({ key: 'b', type: 'boolean' }),
    field({ key: 'o', type: 'option', options: ['Red', 'Blue'] }),
    field({ key: 'd', type: 'date' }),
    field({ key: 't', type: 'text' }),
  ];
  fc.assert(
    fc.property(fc.constantFrom(...types), fc.string({ maxLength: 30 }), (f, text) => {
      const parsed = parseCustomValue(f, text);
      return !parsed.ok || customValueProblem(f, parsed.value) === undefined;
    }),
  );
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
      const parsed = parseCustomValue(types[0]!, String(n));
      return parsed.ok && Object.is(parsed.value, n === 0 ? Number(String(n)) : n);
    }),
  );
  t.deepEqual(parseCustomValue(types[1]!, 'Yes'), { ok: true, value: true });
  t.deepEqual(parseCustomValue(types[2]!, 'blue'), { ok: true, value: 'Blue' });
  t.false(parseCustomValue(types[0]!, '12abc').ok);
});
