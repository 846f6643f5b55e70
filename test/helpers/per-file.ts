import type { TestFn } from 'ava';

/**
 * What every test of a file shares, made once before them and closed after them: `make` runs in a
 * serial `test.before` (so in the order the file asks, and before the file's own `test.before`),
 * `close` in `test.after.always`. The stand-in it returns reads the made value's properties once it
 * exists, so a file declares its server in one line: `const s = perFile(test, () => startAdminServer(), (s) => s.close())`.
 */
export function perFile<T extends object>(test: TestFn, make: () => Promise<T>, close?: (value: T) => unknown): T {
  let value: T | undefined;
  test.serial.before(async () => {
    value = await make();
  });
  if (close) test.after.always(() => value && close(value));
  return new Proxy({} as T, {
    get(_, key) {
      if (!value) throw new Error('perFile: read before test.before made it');
      return Reflect.get(value, key);
    },
  });
}
