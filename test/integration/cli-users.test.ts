import test from 'ava';
import { execute } from '../../src/cli/execute.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { cliServices } from '../../src/container.js';
import { serverPerFile } from '../helpers/server.js';

/* `gatehouse user list`: the admin API's users list (filters, sort, paging) on the command line. */

const s = serverPerFile(test);
const gatehouse = (...argv: string[]) => execute(cliServices(s.container), argv);
type Page = {
  items: Array<{ email: string; status: string; mainRole: string }>;
  total: number;
  nextCursor: string | null;
};
const page = (out: { stdout: string }) => JSON.parse(out.stdout) as Page;
const emails = (p: Page) => p.items.map((u) => u.email);

test.before(async () => {
  await s.createUser({ email: 'ann@list.test', role: 'individual', givenName: 'Ann' });
  await s.createUser({ email: 'bob@list.test', role: 'hr', status: 'inactive' });
  await s.createUser({ email: 'cy@list.test', role: 'admin' });
  await s.createUser({ email: 'dee@elsewhere.test', role: 'hr' });
});

test('filters as the admin API has them: --q, --status, --role, --sort', async (t) => {
  const all = await gatehouse('user', 'list', '--q', 'list.test', '--sort', 'email');
  t.is(all.code, EXIT.ok, all.stderr);
  t.deepEqual(emails(page(all)), ['ann@list.test', 'bob@list.test', 'cy@list.test']);
  t.is(page(all).total, 3);
  t.like(page(all).items[0], { email: 'ann@list.test', mainRole: 'individual', status: 'active' });

  const hr = page(await gatehouse('user', 'list', '--role', 'hr', '--sort=-email'));
  t.deepEqual(emails(hr), ['dee@elsewhere.test', 'bob@list.test']);
  const inactive = page(await gatehouse('user', 'list', '--status', 'inactive,locked'));
  t.deepEqual(emails(inactive), ['bob@list.test']);
  const both = page(await gatehouse('user', 'list', '--role', 'hr,admin', '--status', 'active', '--q', 'list'));
  t.deepEqual(emails(both), ['cy@list.test']);
  const never = page(await gatehouse('user', 'list', '--q', 'list.test', '--never-signed-in', 'true'));
  t.is(never.total, 3);
});

test('--limit and --cursor page through the list', async (t) => {
  const first = page(await gatehouse('user', 'list', '--q', 'list.test', '--sort', 'email', '--limit', '2'));
  t.deepEqual(emails(first), ['ann@list.test', 'bob@list.test']);
  t.truthy(first.nextCursor);
  const second = page(
    await gatehouse(
      'user',
      'list',
      '--q',
      'list.test',
      '--sort',
      'email',
      '--limit',
      '2',
      '--cursor',
      first.nextCursor ?? '',
    ),
  );
  t.deepEqual(emails(second), ['cy@list.test']);
  t.is(second.nextCursor, null);
});

test('bad filters: exit 2 naming the option, nothing on stdout', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--status', 'sleepy'], /--status: .*expected one of "active"/],
    [['--limit', '0'], /--limit: /],
    [['--limit', 'abc'], /--limit: /],
    [['--sort', 'shoeSize'], /--sort: /],
    [['--account-id', 'not-a-uuid'], /--account-id: /],
    [['--created-from', 'yesterday'], /--created-from: /],
    [['--cf', 'no-equals-sign'], /--cf is KEY=VALUE/],
    [['--cursor', 'garbage'], /cursor/],
  ];
  for (const [args, message] of cases) {
    const out = await gatehouse('user', 'list', ...args);
    t.is(out.code, EXIT.usage, args.join(' '));
    t.regex(out.stderr, message, args.join(' '));
    t.is(out.stdout, '', args.join(' '));
  }
});
