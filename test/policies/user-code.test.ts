import test from 'ava';
import { drawUserCode } from '../../src/policies/user-code.js';

test('a userCode is 8 symbols drawn from the alphabet without I, O, 0 and 1', (t) => {
  t.is(
    drawUserCode(() => 0),
    'AAAAAAAA',
  );
  t.is(
    drawUserCode((max) => max - 1),
    '99999999',
  );
  let i = 0;
  t.is(
    drawUserCode(() => [7, 8, 12, 13][i++ % 4]!),
    'HJNPHJNP',
  );
  t.regex(
    drawUserCode((max) => Math.floor(Math.random() * max)),
    /^[A-HJ-NP-Z2-9]{8}$/,
  );
});
