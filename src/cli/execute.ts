import { AppError } from '../errors/app-error.js';
import { COMMANDS, findCommand, QUIET_IO, resolveCommand, type CliServices, type CommandIo } from './commands.js';
import { closest } from '../util/edit-distance.js';
import { EXIT, exitCode } from './exit-codes.js';
import { defined } from '../util/defined.js';

/** What a command printed and how it ended, wherever it ran. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

const EXITS = 'JSON on stdout. Exit codes: 0 done, 1 failed, 2 usage error, 3 no such record, 4 conflict.';
const HELP_FLAGS = ['--help', '-h'];
const NAMES = Object.keys(COMMANDS);
/** `user`, `client`, …: the first words of the commands of two. */
const GROUPS = [...new Set(NAMES.filter((n) => n.includes(' ')).map((n) => n.split(' ')[0] as string))];

const lines = (names: string[]) => names.map((n) => `  gatehouse ${COMMANDS[n]?.usage}`).join('\n');

function usageText(): string {
  return `usage:\n${lines(NAMES)}\n\n${EXITS}\ngatehouse <command> --help: one command's usage.\n`;
}

const groupText = (group: string) => `usage:\n${lines(NAMES.filter((n) => n.startsWith(`${group} `)))}\n\n${EXITS}\n`;

/**
 * Help asked for: `gatehouse`, `gatehouse help [command]`, or `--help` / `-h` anywhere:
 * the usage of one command, of a group (`gatehouse user --help`) or of all, exit 0.
 * Undefined when argv asks for no help.
 */
export function helpFor(argv: string[]): CliOutcome | undefined {
  const asked = argv.length === 0 || argv[0] === 'help' || argv.some((a) => HELP_FLAGS.includes(a));
  if (!asked) return undefined;
  const words = (argv[0] === 'help' ? argv.slice(1) : argv).filter((a) => !HELP_FLAGS.includes(a));
  const found = findCommand(words);
  const [first = ''] = words;
  if (found) return { code: EXIT.ok, stdout: `usage: gatehouse ${found.command.usage}\n\n${EXITS}\n`, stderr: '' };
  if (GROUPS.includes(first)) return { code: EXIT.ok, stdout: groupText(first), stderr: '' };
  return words.length ? unknownCommand(words) : { code: EXIT.ok, stdout: usageText(), stderr: '' };
}

/** Exit 2 with the nearest command's name when the words look like a typo of one, and the commands to choose from. */
function unknownCommand(argv: string[]): CliOutcome {
  const words = argv.filter((a) => !a.startsWith('-'));
  const [first = '', second] = words;
  const inGroup = GROUPS.includes(first);
  const near = inGroup
    ? second && closest(`${first} ${second}`, NAMES)
    : (closest(words.slice(0, 2).join(' '), NAMES) ?? closest(first, [...NAMES, ...GROUPS]));
  const problem =
    inGroup && !second ? `gatehouse ${first} needs a command` : `unknown command: gatehouse ${argv.join(' ')}`;
  const choices = inGroup ? groupText(first) : 'gatehouse --help lists the commands.\n';
  return {
    code: EXIT.usage,
    stdout: '',
    stderr: `${problem}\n${near ? `did you mean: gatehouse ${near}?\n` : ''}${choices}`,
  };
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
    return resolveCommand(argv) ? undefined : unknownCommand(argv);
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
