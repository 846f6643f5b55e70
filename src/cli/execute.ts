import { AppError } from '../errors/app-error.js';
import { COMMANDS, QUIET_IO, resolveCommand, type CliServices, type CommandIo } from './commands.js';
import { EXIT, exitCode } from './exit-codes.js';
import { defined } from '../util/defined.js';

/** What a command printed and how it ended, wherever it ran. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export function usageText(): string {
  return `usage:\n${Object.values(COMMANDS)
    .map((c) => `  gatehouse ${c.usage}`)
    .join('\n')}\n`;
}

/** Turns an error into the CLI's answer: a message on stderr and its exit code (exit-codes.ts). */
export function failure(err: unknown): CliOutcome {
  const app = err instanceof AppError ? err : undefined;
  return {
    code: exitCode(err),
    stdout: '',
    stderr: `error: ${app ? `${app.message} (${app.code})` : (err as Error).message}\n`,
  };
}

/** A usage error or an unknown command, found before any database is opened. */
export function checkCommand(argv: string[]): CliOutcome | undefined {
  try {
    return resolveCommand(argv)
      ? undefined
      : { code: EXIT.usage, stdout: '', stderr: `unknown command: ${argv.join(' ')}\n${usageText()}` };
  } catch (err) {
    return failure(err);
  }
}

/** Runs `argv` with the services: JSON on stdout, or a message on stderr (and the JSON, for a failed result). */
export async function execute(services: CliServices, argv: string[], io: CommandIo = QUIET_IO): Promise<CliOutcome> {
  try {
    const resolved = resolveCommand(argv);
    if (!resolved) return defined(checkCommand(argv), 'why the command did not resolve');
    const result = await resolved.command.run(services, resolved.opts, resolved.positionals, io);
    const failed = resolved.command.failed?.(result);
    return {
      code: failed ? EXIT.failed : EXIT.ok,
      stdout: `${JSON.stringify(result, null, 2)}\n`,
      stderr: failed ? `error: ${failed}\n` : '',
    };
  } catch (err) {
    return failure(err);
  }
}
