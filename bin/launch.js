// Runs an entry point of src/: its compiled form in dist/ (`npm run build`), or the TypeScript through tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);

/** The newest change under `dir` (0 when it does not exist, as in the Docker image, which has no src/). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  return Math.max(
    statSync(dir).mtimeMs,
    ...readdirSync(dir, { recursive: true }).map((name) => statSync(new URL(name, `${dir.href}/`)).mtimeMs),
  );
}

/**
 * `entry` is a path under src/ without extension (`main`, `cli/main`). `compiled`:
 * `always` (production: no build is an error), `if-current` (dist/ when built since
 * src/ and migrations/ last changed, so an edit after a build is not silently ignored),
 * `never` (tsx).
 */
export async function launch(entry, compiled) {
  const built = new URL(`dist/src/${entry}.js`, root);
  if (compiled === 'always' && !existsSync(built)) {
    console.error(
      `${built.pathname} is missing: run \`npm run build\` first (NODE_ENV=production runs the compiled code)`,
    );
    process.exit(1);
  }
  const current = () =>
    existsSync(built) &&
    Math.max(newest(new URL('src', root)), newest(new URL('migrations', root))) <= statSync(built).mtimeMs;
  if (compiled === 'always' || (compiled === 'if-current' && current())) return import(built.href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(`src/${entry}.ts`, root).href);
}
