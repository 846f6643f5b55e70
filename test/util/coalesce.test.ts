import test from 'ava';
import { coalesce } from '../../src/util/coalesce.js';

/** A writer that records each batch and finishes when the test says so. */
function recorder(refuse: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const write = (items: number[]) => {
    batches.push(items);
    return new Promise<void>((resolve, reject) => {
      pending.push(() => (items.some(refuse) ? reject(new Error('refused')) : resolve()));
    });
  };
  const finishAll = async () => {
    while (pending.length) {
      (pending.shift() as () => void)();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { batches, write, finishAll };
}

test('the first write goes alone at once; the writes made while it is in flight go as one batch', async (t) => {
  const r = recorder();
  const add = coalesce(r.write);
  const first = add(1);
  t.deepEqual(r.batches, [[1]]);
  const rest = [add(2), add(3), add(4)];
  t.deepEqual(r.batches, [[1]], 'nothing more is written while the first is in flight');
  await r.finishAll();
  await Promise.all([first, ...rest]);
  t.deepEqual(r.batches, [[1], [2, 3, 4]]);
});

test('batches hold at most maxBatch items', async (t) => {
  const r = recorder();
  const add = coalesce(r.write, 2);
  const all = [1, 2, 3, 4, 5, 6].map(add);
  await r.finishAll();
  await Promise.all(all);
  t.deepEqual(r.batches, [[1], [2, 3], [4, 5], [6]]);
});

test('a failed batch is written again item by item: only the bad item fails its caller', async (t) => {
  const r = recorder((item) => item === 3);
  const add = coalesce(r.write);
  const results = [1, 2, 3, 4].map((n) =>
    add(n).then(
      () => 'written',
      (err: Error) => err.message,
    ),
  );
  await r.finishAll();
  t.deepEqual(await Promise.all(results), ['written', 'written', 'refused', 'written']);
  t.deepEqual(r.batches, [[1], [2, 3, 4], [2], [3], [4]]);
});

test('after a quiet spell the next write goes at once again', async (t) => {
  const r = recorder();
  const add = coalesce(r.write);
  const first = add(1);
  await r.finishAll();
  await first;
  const second = add(2);
  t.deepEqual(r.batches, [[1], [2]]);
  await r.finishAll();
  await second;
});
