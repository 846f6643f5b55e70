import test from 'ava';
import { COMMANDS } from '../../src/cli/commands.js';
import { checkCommand, helpFor } from '../../src/cli/execute.js';
import { EXIT } from '../../src/cli/exit-codes.js';

/* What the CLI answers before it reads any configuration or opens a database. */

test('--help, -h and `help …` print one command’s usage on stdout and exit 0', (t) => {
  for (const argv of [
    ['user', 'create', '--help'],
    ['user', 'create', '-h'],
    ['help', 'user', 'create'],
    ['user', 'create', '--email', 'x@example.com', '--help'],
  ]) {
    const out = helpFor(argv);
    t.is(out?.code, EXIT.ok, argv.join(' '));
    t.true(out?.stdout.startsWith(`usage: gatehouse ${COMMANDS['user create']?.usage}\n`), argv.join(' '));
    t.regex(out?.stdout ?? '', /Exit codes: 0 done/);
    t.is(out?.stderr, '');
  }
  t.regex(
    helpFor(['mail', 'list', '--help'])?.stdout ?? '',
    /^usage: gatehouse mail list \[--to EMAIL\] \[--limit N\]/,
  );
  t.regex(helpFor(['migrate', '--help'])?.stdout ?? '', /^usage: gatehouse migrate\n/);
});

test('a group’s --help lists its commands; no arguments or --help alone list them all', (t) => {
  const group = helpFor(['licence', '--help']);
  t.is(group?.code, EXIT.ok);
  const listed = (group?.stdout ?? '').split('\n').filter((l) => l.startsWith('  gatehouse '));
  t.deepEqual(
    listed.map((l) => l.split(' ').slice(3, 5).join(' ')),
    Object.keys(COMMANDS).filter((n) => n.startsWith('licence ')),
  );
  for (const argv of [[], ['--help'], ['help']]) {
    const all = helpFor(argv);
    t.is(all?.code, EXIT.ok);
    for (const usage of Object.values(COMMANDS).map((c) => c.usage)) t.true(all?.stdout.includes(usage));
  }
  t.is(helpFor(['user', 'list']), undefined, 'no help asked');
});

test('a mistyped command: exit 2 and "did you mean" the nearest', (t) => {
  const cases: Array<[string[], string | undefined]> = [
    [['usr', 'list'], 'user list'],
    [['user', 'lst'], 'user list'],
    [['clinet', 'create', '--client-id', 'x'], 'client create'],
    [['migrat'], 'migrate'],
    [['imprt', 'people.csv'], 'import'],
    [['usr'], 'user'],
    [['frobnicate'], undefined],
    [['user', 'delete-everything'], undefined],
  ];
  for (const [argv, near] of cases) {
    const out = checkCommand(argv);
    t.is(out?.code, EXIT.usage, argv.join(' '));
    t.is(out?.stdout, '');
    t.regex(out?.stderr ?? '', /^unknown command: gatehouse /, argv.join(' '));
    if (near) t.true(out?.stderr.includes(`did you mean: gatehouse ${near}?\n`), argv.join(' '));
    else t.false(out?.stderr.includes('did you mean'), argv.join(' '));
  }
  // Unknown either way, with `--help` too.
  t.regex(helpFor(['usr', 'list', '--help'])?.stderr ?? '', /did you mean: gatehouse user list\?/);
  const bare = checkCommand(['user']);
  t.is(bare?.code, EXIT.usage);
  t.regex(bare?.stderr ?? '', /^gatehouse user needs a command\n/);
  t.regex(bare?.stderr ?? '', /gatehouse user set-password/);
});

test('a mistyped option: exit 2 and "did you mean" the command’s nearest option', (t) => {
  const out = checkCommand(['user', 'create', '--emial', 'a@example.com']);
  t.is(out?.code, EXIT.usage);
  t.regex(out?.stderr ?? '', /unknown option --emial \(did you mean --email\?\)/);
  t.regex(out?.stderr ?? '', /usage: gatehouse user create --email E/);
  t.regex(checkCommand(['user', 'create', '--bogus'])?.stderr ?? '', /unknown option --bogus\n/);
});

test('numbers are whole and in range, refused before any database is opened', (t) => {
  const refused: Array<[string[], RegExp]> = [
    [['mail', 'list', '--limit', 'abc'], /--limit must be a whole number from 1 to 1000, not "abc"/],
    [['mail', 'list', '--limit', '0'], /--limit must be a whole number from 1 to 1000, not "0"/],
    [['mail', 'list', '--limit', '1001'], /--limit must be a whole number/],
    [['mail', 'list', '--limit=-5'], /--limit must be a whole number/],
    [['mail', 'list', '--limit', '2.5'], /--limit must be a whole number/],
    [['mail', 'list', '--limit', '1e2'], /--limit must be a whole number/],
    [['mail', 'list', '--limit', ''], /--limit must be a whole number/],
    [['client', 'rotate-secret', 'web', '--grace', 'soon'], /--grace must be a whole number from 0 to/],
    [
      ['resource', 'create', '--indicator', 'https://api.example', '--ttl', '59'],
      /--ttl must be a whole number from 60/,
    ],
  ];
  for (const [argv, message] of refused) {
    const out = checkCommand(argv);
    t.is(out?.code, EXIT.usage, argv.join(' '));
    t.regex(out?.stderr ?? '', message, argv.join(' '));
    t.regex(out?.stderr ?? '', /\(cli\.usage\)\n$/);
  }
  for (const argv of [
    ['mail', 'list', '--limit', '1000'],
    ['mail', 'list'],
    ['client', 'rotate-secret', 'web', '--grace', '0'],
  ])
    t.is(checkCommand(argv), undefined, argv.join(' '));
});
