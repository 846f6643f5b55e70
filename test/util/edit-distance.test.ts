import test from 'ava';
import { closest, editDistance } from '../../src/util/edit-distance.js';

test('editDistance counts insertions, deletions and substitutions', (t) => {
  const cases: Array<[string, string, number]> = [
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['user list', 'usr list', 1],
    ['--email', '--emial', 2],
    ['migrate', 'migrate', 0],
  ];
  for (const [a, b, d] of cases) {
    t.is(editDistance(a, b), d, `${a} → ${b}`);
    t.is(editDistance(b, a), d, `${b} → ${a}`);
  }
});

test('closest: the nearest candidate, only when near enough to be a typo', (t) => {
  const names = ['user list', 'user show', 'client list', 'migrate'];
  t.is(closest('usr list', names), 'user list');
  t.is(closest('user shwo', names), 'user show');
  t.is(closest('migrat', names), 'migrate');
  t.is(closest('frobnicate', names), undefined);
  t.is(closest('ab', ['xy']), undefined, 'two edits of a two-letter word are no typo');
  t.is(closest('x', []), undefined);
});
