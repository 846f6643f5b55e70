/**
 * Core pinning with taskset: the server gets core 0; the load generator and, with
 * BENCH_PIN_PG, the local PostgreSQL get core 1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

/** True unless BENCH_PIN=0, when taskset works and there are at least two cores. */
export function canPin(): boolean {
  return process.env.BENCH_PIN !== '0' && spawnSync('taskset', ['-c', '0', 'true']).status === 0 && cpus().length >= 2;
}

/** `cmd` as spawn's file and arguments, under `taskset -c <core>` when `pin`. */
export function onCore(pin: boolean, core: number, cmd: string[]): [string, string[]] {
  return pin ? ['taskset', ['-c', String(core), ...cmd]] : [cmd[0]!, cmd.slice(1)];
}

/**
 * A bench's entry: with `pin`, re-executes the script at `scriptUrl` under `taskset -c 1`
 * (BENCH_PINNED=1 marks the child), forwards SIGINT/SIGTERM and exits with its code;
 * otherwise, or in that child, runs `main`.
 */
export async function runOnLoadCore(pin: boolean, scriptUrl: string, main: () => Promise<void>): Promise<void> {
  if (!pin || process.env.BENCH_PINNED === '1') return main();
  const [file, args] = onCore(true, 1, [
    process.execPath,
    ...process.execArgv,
    fileURLToPath(scriptUrl),
    ...process.argv.slice(2),
  ]);
  const child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** Sets the CPU affinity of every PostgreSQL process (new backends inherit the postmaster's). */
function pinPostgres(cores: string): boolean {
  const pids = spawnSync('pgrep', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return pids.length > 0 && pids.every((pid) => spawnSync('taskset', ['-a', '-p', '-c', cores, pid]).status === 0);
}

/** Moves the local PostgreSQL to core 1, the load generator's, or says why it shares the server's. */
export function movePostgresToLoadCore(): void {
  if (!pinPostgres('1')) console.log('warning: could not move PostgreSQL to core 1; it shares the server core');
}

/** Lets the local PostgreSQL run on every core again. */
export function releasePostgres(): void {
  pinPostgres(`0-${cpus().length - 1}`);
}
