import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of package.json, found upwards from this file: `src/util/` under tsx, `dist/src/util/` when compiled. */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

const ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** A path in the package (views/, public/, console/dist/), the same whether the code runs from src/ or dist/. */
export const packagePath = (...parts: string[]): string => join(ROOT, ...parts);
