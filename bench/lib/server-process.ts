/** A server (Gatehouse's `src/main.ts` by default) as a child process, ready once it answers its ready path. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCore } from './pinning.js';

export interface ServerStart {
  /** The repository root, the server's working directory. */
  root: string;
  /** The server's whole environment (NODE_ENV included). */
  env: NodeJS.ProcessEnv;
  /** Where /readyz is asked. */
  issuer: string;
  /** Under `taskset -c 0`. */
  pin: boolean;
  /** Run with --cpu-prof, the profiles written there. */
  cpuProfDir?: string;
  /** A module to --import before the server (what-if experiments). */
  preload?: string;
  /** The script to run (default src/main.ts) and the path that answers 200 once it is ready (default /readyz). */
  entry?: string;
  readyPath?: string;
  /** `compiled`: `dist/src/main.js` (`npm run build`) instead of `src/main.ts` through tsx. */
  compiled?: boolean;
}

export function createServerProcess() {
  let child: ChildProcess | undefined;
  let startedAt = 0;
  let log = '';

  /** Spawns the server and waits up to 60 s for its ready path; throws if it exits or stays silent. */
  async function start(options: ServerStart): Promise<void> {
    const nodeArgs = options.compiled ? [] : ['--import', 'tsx'];
    if (options.cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
    if (options.preload) nodeArgs.push('--import', options.preload);
    const entry = options.entry ?? (options.compiled ? 'dist/src/main.js' : 'src/main.ts');
    const [file, args] = onCore(options.pin, 0, [process.execPath, ...nodeArgs, entry]);
    // Bench runs send no mail anywhere: NODE_ENV=production needs the outbox asked for.
    const env = { MAIL_OUTBOX: '1', ...options.env };
    const server = spawn(file, args, { cwd: options.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = server;
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-64_000);
    };
    server.stdout!.on('data', keep);
    server.stderr!.on('data', keep);
    let exited = false;
    server.on('exit', () => (exited = true));

    const readyPath = options.readyPath ?? '/readyz';
    const spawnedAt = Date.now();
    const deadline = spawnedAt + 60_000;
    for (;;) {
      if (exited) throw new Error('the server exited during start-up');
      if (Date.now() > deadline) throw new Error(`the server did not answer ${readyPath} within 60 s`);
      const ok = await fetch(`${options.issuer}${readyPath}`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await sleep(200);
    }
    // `taskset` execs node: the child's pid is the server's.
    const affinity = spawnSync('taskset', ['-pc', String(server.pid)], { encoding: 'utf8' }).stdout.trim();
    console.log(
      `server pid ${server.pid} ready at ${options.issuer} after ${((Date.now() - spawnedAt) / 1000).toFixed(1)} s (${affinity || 'affinity unknown'})`,
    );
    startedAt = spawnedAt;
  }

  /** SIGTERM, then SIGKILL after 15 s; resolves once it has exited. */
  async function kill(): Promise<void> {
    const s = child;
    if (!s || s.exitCode !== null || s.signalCode !== null) return;
    child = undefined;
    const exited = new Promise<void>((resolve) => s.once('exit', () => resolve()));
    s.kill('SIGTERM');
    const timer = setTimeout(() => s.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** On SIGINT or SIGTERM: kill the server, then exit 130 or 143. */
  function killOnSignals(): void {
    const onSignal = (sig: NodeJS.Signals) => {
      kill().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  /** Reports a failed run: the error, then the server's last output; the exit code becomes 1. */
  function failed(err: unknown): void {
    console.error('\nbenchmark failed:', err instanceof Error ? err.stack : err);
    if (log) console.error(`server output (tail):\n${log.slice(-4000)}`);
    process.exitCode = 1;
  }

  return {
    start,
    kill,
    killOnSignals,
    failed,
    /** Until kill(). */
    get pid() {
      return child?.pid;
    },
    /** Date.now() at the spawn of the server that answered. */
    get startedAt() {
      return startedAt;
    },
    /** The last 64 kB of its stdout and stderr. */
    get log() {
      return log;
    },
  };
}
