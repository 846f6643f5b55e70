import test from 'ava';
import fc from 'fast-check';
import { contactCell, parsePhones, withAddressParts } from '../../src/policies/contact-cells.js';

test('phones: typed and untyped numbers, the first primary; the cell the export writes reads back the same', (t) => {
  const parsed = parsePhones('work:+49 30 1; +49 170 2 ;mobile : 0170-3');
  t.deepEqual(parsed, {
    ok: true,
    phones: [
      { value: '+49 30 1', type: 'work', display: null, primary: true },
      { value: '+49 170 2', type: null, display: null, primary: false },
      { value: '0170-3', type: 'mobile', display: null, primary: false },
    ],
  });
  const number = fc.stringMatching(/^\+?[0-9][0-9 ()-]{0,20}[0-9]$/);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.option(fc.constantFrom('work', 'home', 'mobile')), number), { minLength: 1, maxLength: 5 }),
      (list) => {
        const phones = list.map(([type, value], i) => ({ value, type, display: null, primary: i === 0 }));
        const cell = contactCell({ phoneNumbers: phones, addresses: [] }, 'phoneNumbers') ?? '';
        const back = parsePhones(cell);
        return back.ok && JSON.stringify(back.phones) === JSON.stringify(phones);
      },
    ),
  );
  t.false(parsePhones(Array.from({ length: 21 }, (_, i) => `${i}`).join(';')).ok);
});

test('address parts go into the main address, or a new primary work address', (t) => {
  const made = withAddressParts([], { locality: 'Paris', country: 'FR' });
  t.like(made[0], { type: 'work', primary: true, locality: 'Paris', country: 'FR', streetAddress: null });
  const two = [
    { ...made[0]!, primary: false, locality: 'Lyon' },
    { ...made[0]!, primary: true, type: 'home' },
  ];
  const changed = withAddressParts(two, { postalCode: '75001' });
  t.is(changed[0]!.postalCode, null);
  t.like(changed[1], { type: 'home', postalCode: '75001', locality: 'Paris' });
  t.is(contactCell({ phoneNumbers: [], addresses: changed }, 'postalCode'), '75001');
});
