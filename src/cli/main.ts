import { loadConfig } from '../config/config.js';
import { checkCommand, execute, failure, helpFor, type CliOutcome } from './execute.js';
import { createProgress } from './progress.js';
import { forwardToServer } from './server-socket.js';

/** `gatehouse <command>`: JSON on stdout; a message on stderr and a non-zero exit on bad input. */
async function main(argv: string[]): Promise<CliOutcome> {
  const [command = ''] = argv;
  // Help and usage errors are answered before any configuration or database is read.
  const answered = helpFor(argv) ?? checkCommand(argv);
  if (answered) return answered;
  const config = loadConfig();
  const progress = createProgress(process.stderr, command);
  const io = { cwd: process.cwd(), progress: progress.update };
  try {
    // On the embedded database, a running server owns it: the command runs there.
    const forwarded = config.databaseUrl ? undefined : await forwardToServer(config.dataDir, argv, io);
    if (forwarded) return forwarded;
    // Loaded only now: help, usage errors and forwarded commands never pay for the services' modules.
    const [{ default: pino }, { cliServices, createContainer }] = await Promise.all([
      import('pino'),
      import('../container.js'),
    ]);
    // Logs go to stderr so stdout stays pure JSON.
    const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
    const container = await createContainer(config, { log });
    try {
      return await execute(cliServices(container), argv, io);
    } finally {
      await container.close();
    }
  } finally {
    progress.done();
  }
}

main(process.argv.slice(2)).then(
  (outcome) => {
    process.stdout.write(outcome.stdout);
    process.stderr.write(outcome.stderr);
    process.exitCode = outcome.code;
  },
  (err) => {
    const outcome = failure(err);
    process.stderr.write(outcome.stderr);
    process.exitCode = outcome.code;
  },
);
