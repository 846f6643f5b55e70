import test from 'ava';
import {
  findUnstorable,
  isStorableBytes,
  isStorablePercentEncoded,
  isStorableText,
} from '../../src/util/storable-text.js';

const texts: [string, string, boolean][] = [
  ['plain ASCII', 'alice@example.com', true],
  ['empty', '', true],
  ['accents and CJK', 'Zoë 張偉', true],
  ['an emoji (a surrogate pair)', 'ok 😀', true],
  ['U+FFFD itself', 'a\ufffdb', true],
  ['NUL', 'a\0b', false],
  ['NUL alone', '\0', false],
  ['a lone high surrogate', 'a\ud800b', false],
  ['a lone high surrogate at the end', 'a\ud83d', false],
  ['a lone low surrogate', '\ude00x', false],
  ['a pair in the wrong order', '\ude00\ud83d', false],
];
for (const [name, value, storable] of texts) {
  test(`isStorableText: ${name}`, (t) => t.is(isStorableText(value), storable));
}

const bytes: [string, number[], boolean][] = [
  ['ASCII', [0x61, 0x62], true],
  ['two-byte UTF-8', [0xc3, 0xab], true],
  ['four-byte UTF-8', [0xf0, 0x9f, 0x98, 0x80], true],
  ['a 0x00 byte', [0x61, 0x00], false],
  ['a lone continuation byte', [0x80], false],
  ['0xFF', [0xff, 0xfe], false],
  ['a truncated sequence', [0xe2, 0x82], false],
  ['an encoded surrogate (CESU)', [0xed, 0xa0, 0x80], false],
  ['an overlong NUL', [0xc0, 0x80], false],
];
for (const [name, value, storable] of bytes) {
  test(`isStorableBytes: ${name}`, (t) => t.is(isStorableBytes(Uint8Array.from(value)), storable));
}

const encoded: [string, string, boolean][] = [
  ['a plain query', 'client_id=app&scope=openid%20email', true],
  ['escaped UTF-8', 'name=Zo%C3%AB', true],
  ['an escaped emoji', 'q=%F0%9F%98%80', true],
  ['raw non-ASCII beside escapes', 'q=Zoë%20x', true],
  ['a stray percent', 'q=100%', true],
  ['a percent before non-hex', 'q=%zz', true],
  ['%00', 'client_id=a%00b', false],
  ['%00 in a path', '/scim/v2/Users/a%00b', false],
  ['an escaped surrogate', 'q=%ED%A0%80', false],
  ['escaped invalid UTF-8', 'q=%FF', false],
  ['a truncated escape sequence', 'q=%E2%82', false],
  ['escapes split by text', 'q=%C3x%AB', false],
  ['a raw NUL', 'q=a\0', false],
  ['a raw lone surrogate', 'q=\ud800', false],
];
for (const [name, value, storable] of encoded) {
  test(`isStorablePercentEncoded: ${name}`, (t) => t.is(isStorablePercentEncoded(value), storable));
}

test('findUnstorable names where a parsed body holds what PostgreSQL cannot store', (t) => {
  t.is(findUnstorable({ a: 'x', b: [1, 'y', { c: null }], d: true }), undefined);
  t.is(findUnstorable('a\0'), '');
  t.is(findUnstorable({ a: { b: ['ok', 'bad\ud800'] } }), 'a.b.1');
  t.is(findUnstorable({ 'k\0': 1 }), '(a key)');
  t.is(findUnstorable({ a: { '\udc00': 1 } }), 'a');
  t.is(
    findUnstorable({ __proto__: 'x\0' } as never),
    undefined,
    'a literal __proto__ sets the prototype: not an own key',
  );
  t.is(findUnstorable(JSON.parse('{"__proto__":"x\\u0000"}')), '__proto__');
  let deep: unknown = 'x\0';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  t.not(findUnstorable(deep), undefined, 'a deep value does not overflow the stack');
});
