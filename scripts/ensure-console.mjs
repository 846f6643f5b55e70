// Runs before `npm start` and `npm test`: builds the administration console (console/ → console/dist)
// when it is missing or older than its sources. Plain JavaScript, so it costs no TypeScript loader.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'console/dist/index.html');
/** The console's sources, and the server's files it imports (domain names, permissions). */
const SOURCES = [
  'console/src',
  'console/index.html',
  'console/vite.config.ts',
  'src/domain',
  'src/policies/permissions.ts',
];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const stale = !existsSync(built) || Math.max(...SOURCES.map((s) => newest(join(root, s)))) > statSync(built).mtimeMs;
if (stale) {
  console.error('Building the administration console (console/ → console/dist)…');
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(root, 'console/vite.config.ts'),
      '--logLevel',
      'warn',
    ],
    {
      stdio: 'inherit',
    },
  );
}
