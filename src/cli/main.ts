import pino from 'pino';
import { loadConfig } from '../config/config.js';
import { createContainer } from '../container.js';
import { AppError } from '../errors/app-error.js';
import { COMMANDS, resolveCommand } from './commands.js';

/** `gatehouse <command>`: JSON on stdout; a message on stderr and a non-zero exit on bad input. */
async function main(argv: string[]): Promise<number> {
  const resolved = resolveCommand(argv);
  if (!resolved) {
    const help = Object.values(COMMANDS).map((c) => `  gatehouse ${c.usage}`).join('\n');
    process.stderr.write(`${argv.length ? `unknown command: ${argv.join(' ')}\n` : ''}usage:\n${help}\n`);
    return argv.length && !['help', '--help', '-h'].includes(argv[0]!) ? 2 : 0;
  }
  const config = loadConfig();
  // Logs go to stderr so stdout stays pure JSON.
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const container = await createContainer(config, { log });
  try {
    const result = await resolved.command.run(container, resolved.opts, resolved.positionals);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    await container.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const app = err instanceof AppError ? err : undefined;
    process.stderr.write(`error: ${app ? `${app.message} (${app.code})` : (err as Error).message}\n`);
    process.exit(app?.status === 2 ? 2 : 1);
  },
);
