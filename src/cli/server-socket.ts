import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Container } from '../container.js';
import type { CliOutcome } from './execute.js';
import { execute } from './execute.js';

/**
 * The embedded database (PGlite) belongs to one process. While the server runs
 * on it, `gatehouse …` sends its command over this Unix socket (mode 0600, in
 * DATA_DIR) and the server runs it on its own database; with no server running,
 * the CLI opens the database itself.
 */
export function cliSocketPath(dataDir: string): string {
  return resolve(dataDir, 'gatehouse.sock');
}

export async function serveCliSocket(container: Container, log: Logger): Promise<Server> {
  const path = cliSocketPath(container.config.dataDir);
  if (existsSync(path)) unlinkSync(path); // left by a server that did not stop cleanly
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let argv: unknown;
    try {
      argv = JSON.parse(Buffer.concat(chunks).toString('utf8')).argv;
    } catch {
      argv = undefined;
    }
    const outcome: CliOutcome = Array.isArray(argv) && argv.every((a) => typeof a === 'string')
      ? await execute(container, argv)
      : { code: 2, stdout: '', stderr: 'error: malformed CLI request\n' };
    log.info({ command: Array.isArray(argv) ? argv.slice(0, 2).join(' ') : undefined, code: outcome.code }, 'cli.command');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(outcome));
  });
  await new Promise<void>((done, fail) => server.once('error', fail).listen(path, done));
  chmodSync(path, 0o600);
  return server;
}

/** Runs `argv` in the server that owns DATA_DIR; undefined when no server answers there. */
export function forwardToServer(dataDir: string, argv: string[]): Promise<CliOutcome | undefined> {
  const socketPath = cliSocketPath(dataDir);
  if (!existsSync(socketPath)) return Promise.resolve(undefined);
  return new Promise((done) => {
    const req = request({ socketPath, path: '/', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          done(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CliOutcome);
        } catch {
          done(undefined);
        }
      });
    });
    // A stale socket (no server behind it): run locally.
    req.on('error', () => done(undefined));
    req.end(JSON.stringify({ argv }));
  });
}
