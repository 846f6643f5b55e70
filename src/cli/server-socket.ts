import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { isAbsolute, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { CliServices, CommandIo } from './commands.js';
import type { CliOutcome } from './execute.js';
import { execute } from './execute.js';
import { EXIT } from './exit-codes.js';

/**
 * The embedded database (PGlite) belongs to one process. While the server runs
 * on it, `gatehouse …` sends its command over this Unix socket (mode 0600, in
 * DATA_DIR) and the server runs it on its own database; with no server running,
 * the CLI opens the database itself. The request is `{ argv, cwd }` (files are
 * read relative to the operator's directory); the answer is JSON lines: any
 * `{ progress, label }`, then the outcome.
 */
export function cliSocketPath(dataDir: string): string {
  return resolve(dataDir, 'gatehouse.sock');
}

export async function serveCliSocket(services: CliServices, log: Logger): Promise<Server> {
  const path = cliSocketPath(services.config.dataDir);
  if (existsSync(path)) unlinkSync(path); // left by a server that did not stop cleanly
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let argv: unknown;
    let cwd: unknown;
    try {
      ({ argv, cwd } = JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      argv = undefined;
    }
    res.setHeader('content-type', 'application/x-ndjson');
    const io: CommandIo = {
      cwd: typeof cwd === 'string' && isAbsolute(cwd) ? cwd : process.cwd(),
      progress: (progress, label) => res.write(`${JSON.stringify({ progress, label })}\n`),
    };
    const outcome: CliOutcome =
      Array.isArray(argv) && argv.every((a) => typeof a === 'string')
        ? await execute(services, argv, io)
        : { code: EXIT.usage, stdout: '', stderr: 'error: malformed CLI request\n' };
    log.info(
      { command: Array.isArray(argv) ? argv.slice(0, 2).join(' ') : undefined, code: outcome.code },
      'cli.command',
    );
    res.end(JSON.stringify(outcome));
  });
  await new Promise<void>((done, fail) => server.once('error', fail).listen(path, done));
  chmodSync(path, 0o600);
  return server;
}

/** Runs `argv` in the server that owns DATA_DIR (its progress shown here); undefined when no server answers there. */
export function forwardToServer(dataDir: string, argv: string[], io?: CommandIo): Promise<CliOutcome | undefined> {
  const socketPath = cliSocketPath(dataDir);
  if (!existsSync(socketPath)) return Promise.resolve(undefined);
  const stopped: CliOutcome = {
    code: EXIT.failed,
    stdout: '',
    stderr: 'error: the server stopped before the command finished (it was not run again here)\n',
  };
  return new Promise((done) => {
    const req = request(
      { socketPath, path: '/', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let rest = '';
        let outcome: CliOutcome | undefined;
        let broken = false;
        const line = (text: string) => {
          if (!text.trim()) return;
          const message = JSON.parse(text) as CliOutcome | { progress: number; label: string };
          if ('progress' in message) io?.progress(message.progress, message.label);
          else outcome = message;
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop() ?? '';
          try {
            for (const l of lines) line(l);
          } catch {
            broken = true;
          }
        });
        res.on('end', () => {
          try {
            line(rest);
            done(broken ? undefined : (outcome ?? stopped));
          } catch {
            done(undefined);
          }
        });
        res.on('error', () => done(stopped));
      },
    );
    // A stale socket (no server behind it): run locally. A server that went away with the command: not again here.
    req.on('error', (err: NodeJS.ErrnoException) =>
      done(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? undefined : stopped),
    );
    req.end(JSON.stringify({ argv, cwd: io?.cwd ?? process.cwd() }));
  });
}
