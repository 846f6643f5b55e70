import { spawn } from 'node:child_process';
import http from 'node:http';
import test from 'ava';
import { freePort } from '../helpers/free-port.js';
import { processDatabase } from '../helpers/database.js';

/**
 * SIGTERM under keep-alive load, on the real process (`node --import tsx src/main.ts`,
 * on the embedded database in a DATA_DIR, or on PostgreSQL under TEST_DATABASE_URL):
 * every request that got in gets its whole answer, none is reset, the process exits 0.
 */
const root = new URL('../..', import.meta.url).pathname;
const LOOPS = 4;
/** Each loop's bound; the loops stop long before, when the stopped server refuses them. */
const MAX_REQUESTS_PER_LOOP = 20_000;

type Outcome = { kind: 'ok' } | { kind: 'incomplete'; detail: string } | { kind: 'error'; code: string };

/** One GET on a keep-alive agent: a complete JSON answer, or the socket error. */
function get(agent: http.Agent, port: number, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        const length = Number(res.headers['content-length']);
        if (!res.complete || res.statusCode !== 200 || Buffer.byteLength(body) !== length) {
          resolve({
            kind: 'incomplete',
            detail: `${path}: ${res.statusCode}, ${Buffer.byteLength(body)}/${length} bytes, complete=${res.complete}`,
          });
          return;
        }
        try {
          JSON.parse(body);
          resolve({ kind: 'ok' });
        } catch {
          resolve({ kind: 'incomplete', detail: `${path}: not JSON: ${body.slice(0, 80)}` });
        }
      });
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'error', code: err.code ?? err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'error', code: err.code ?? err.message }));
  });
}

test('SIGTERM under keep-alive load: what is in flight is answered, nothing is reset, exit 0', async (t) => {
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    ISSUER: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'info',
    GATEHOUSE_SECRET: 'stop-test-secret-stop-test-secret-000',
  };
  delete (env as Record<string, string | undefined>).DATABASE_URL;
  const database = await processDatabase('stop');
  Object.assign(env, database.env);

  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    // A first start runs every migration on a new embedded database: ~11 s alone, longer beside other test files.
    let ready = false;
    for (let i = 0; i < 1200 && !ready; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200;
    }
    t.true(ready, log);

    let answered = 0;
    let signalled = false;
    let afterSignal = 0;
    const problems: string[] = [];
    const endings: string[] = [];
    let startSignal!: () => void;
    const loadIsOn = new Promise<void>((resolve) => (startSignal = resolve));
    const loops = Array.from({ length: LOOPS }, async (_, n) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < MAX_REQUESTS_PER_LOOP; i++) {
          // /readyz asks the database: some requests are in flight at the signal.
          const outcome = await get(agent, port, i % 2 ? '/readyz' : '/.well-known/openid-configuration');
          if (outcome.kind === 'ok') {
            answered += 1;
            if (signalled) afterSignal += 1;
            if (answered === LOOPS * 50) startSignal();
            continue;
          }
          if (outcome.kind === 'error' && outcome.code === 'ECONNREFUSED') {
            endings.push(`loop ${n}: refused after ${i} requests`);
            return;
          }
          problems.push(
            outcome.kind === 'error'
              ? `loop ${n}, request ${i}: ${outcome.code}`
              : `loop ${n}, request ${i}: ${outcome.detail}`,
          );
          return;
        }
        problems.push(`loop ${n}: never refused`);
      } finally {
        agent.destroy();
      }
    });

    await loadIsOn;
    signalled = true;
    child.kill('SIGTERM');
    await Promise.all(loops);

    t.deepEqual(problems, [], 'no request was reset or cut short');
    t.is(endings.length, LOOPS, 'every loop ends on a refused connection');
    t.is(await exited, 0, log);
    t.regex(log, /gatehouse\.stopped/);
    t.log(`${answered} answers, ${afterSignal} of them after SIGTERM`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    await database.drop();
  }
});
