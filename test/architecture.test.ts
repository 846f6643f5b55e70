import test from 'ava';
import { checkSource, findBreaches } from '../scripts/architecture.js';

test('src/ keeps the layering of ARCHITECTURE.md', (t) => {
  const breaches = findBreaches('src');
  t.deepEqual(
    breaches.map((b) => `src/${b.file}:${b.line}  ${b.rule}  ${b.text}`),
    [],
  );
});

const rulesOf = (file: string, source: string) => checkSource(file, source).map((b) => b.rule);

const BREACHES: ReadonlyArray<{ file: string; source: string; rule: string }> = [
  {
    file: 'domain/user.ts',
    source: "import type { CharacterClass } from '../policies/password.js';",
    rule: 'domain-is-plain',
  },
  {
    file: 'policies/lockout.ts',
    source: "import type { Db } from '../db/database.js';",
    rule: 'pure-layers-stay-pure',
  },
  { file: 'scim/patch.ts', source: "export { x } from '../services/identity.js';", rule: 'pure-layers-stay-pure' },
  { file: 'login/steps.ts', source: "const m = await import('../services/mfa.js');", rule: 'pure-layers-stay-pure' },
  { file: 'policies/status.ts', source: "import type { Context } from 'koa';", rule: 'no-framework-in-pure' },
  { file: 'scim/filter.ts', source: "import type { Knex } from 'knex';", rule: 'no-framework-in-pure' },
  {
    file: 'repositories/users.ts',
    source: "import {\n  maySignIn,\n} from '../policies/status.js';",
    rule: 'repositories-go-down',
  },
  {
    file: 'services/identity.ts',
    source: "import type { Container } from '../container.js';",
    rule: 'container-at-the-top',
  },
  { file: 'services/settings.ts', source: 'const at = Date.now();', rule: 'time-from-the-clock' },
  { file: 'repositories/users.ts', source: 'const at = new Date();', rule: 'time-from-the-clock' },
  {
    file: 'services/unique-names.ts',
    source: "if (e.code === '23505') throw conflict();",
    rule: 'sqlstate-in-db-only',
  },
  { file: 'http/routes/admin-api.ts', source: 'const retry = code === "40P01";', rule: 'sqlstate-in-db-only' },
];

for (const { file, source, rule } of BREACHES) {
  test(`the checker finds ${rule} in ${file}: ${source.replace(/\s+/g, ' ')}`, (t) => {
    t.deepEqual(rulesOf(file, source), [rule]);
  });
}

test('the checker reports the file, the line and the text', (t) => {
  t.deepEqual(checkSource('domain/user.ts', "// a comment\nimport type { Db } from '../db/database.js';\n"), [
    { file: 'domain/user.ts', line: 2, rule: 'domain-is-plain', text: "import type { Db } from '../db/database.js';" },
  ]);
});

const ALLOWED: ReadonlyArray<{ file: string; source: string }> = [
  { file: 'domain/settings.ts', source: "import type { Role } from './user.js';" },
  {
    file: 'policies/password.ts',
    source:
      "import type { CharacterClass } from '../domain/settings.js';\nimport { AppError } from '../errors/app-error.js';",
  },
  { file: 'login/password-step.ts', source: "import { maySignIn } from '../policies/status.js';" },
  {
    file: 'scim/filter.ts',
    source: "import { invalidFilter } from './errors.js';\nimport { parse } from 'scim2-parse-filter';",
  },
  {
    file: 'repositories/users.ts',
    source: "import type { Knex } from 'knex';\nimport type { User } from '../domain/user.js';",
  },
  { file: 'app.ts', source: "import type { Container } from './container.js';" },
  { file: 'cli/main.ts', source: "import { createContainer } from '../container.js';" },
  { file: 'util/clock.ts', source: 'export const systemClock = { now: () => new Date() };' },
  { file: 'services/audit.ts', source: 'const cutoff = new Date(now.getTime() - days * 86_400_000);' },
  { file: 'services/settings.ts', source: '// not Date.now(): the clock\nconst at = clock.now(); /* new Date() */' },
  { file: 'db/database-error.ts', source: "if (code === '23505') return 'unique_violation';" },
  { file: 'repositories/users.ts', source: "if (code === '23505') return null;" },
  { file: 'http/routes/assets.ts', source: "const etag = 'ABCDE';\nconst zip = '12345';" },
];

for (const { file, source } of ALLOWED) {
  test(`the checker allows in ${file}: ${source.replace(/\s+/g, ' ')}`, (t) => {
    t.deepEqual(rulesOf(file, source), []);
  });
}
