import { spawnSync } from 'node:child_process';

/** The checked-out commit, and whether the code under test has uncommitted changes. */
export function revision(root: string): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'migrations', 'views', 'package-lock.json'], {
    cwd: root,
    encoding: 'utf8',
  }).stdout.trim();
  return `${head || '(no git)'}${dirty ? ' with uncommitted changes in src/' : ''}`;
}
