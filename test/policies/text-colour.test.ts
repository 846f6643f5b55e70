import test from 'ava';
import { textColourOn } from '../../src/policies/text-colour.js';

test('text on a brand colour: white on dark and saturated colours, black on light ones', (t) => {
  for (const dark of ['#000000', '#1f5fd6', '#123456', '#0b6e4f', '#c00000']) t.is(textColourOn(dark), '#ffffff', dark);
  for (const light of ['#ffffff', '#ffcc00', '#e3e6ec', '#7fffd4']) t.is(textColourOn(light), '#000000', light);
});
