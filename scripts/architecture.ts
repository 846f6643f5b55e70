/**
 * The layering of ARCHITECTURE.md as a check: reads every `.ts` file under a root
 * (default `src/`) and lists the breaches. Plain text, no compiler: comments are blanked,
 * then static imports (`import type` too), `export … from` and dynamic `import()` are read
 * with regular expressions.
 *
 *   node --import tsx scripts/architecture.ts [root]   prints the breaches, exit 1 if any
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Breach {
  /** Path under the root, with `/`: `domain/settings.ts`. */
  file: string;
  line: number;
  rule: string;
  text: string;
}

const FRAMEWORKS = ['koa', '@koa/router', 'knex', 'pg', 'oidc-provider'];
const PURE_LAYERS = ['domain/', 'errors/', 'util/'];
const CONTAINER_USERS = ['main.ts', 'app.ts', 'cli/main.ts'];

/** An import rule: `from` is the importing file, `to` the imported one (under the root) or a package name. */
interface ImportRule {
  rule: string;
  applies: (from: string) => boolean;
  forbids: (to: Target, from: string) => boolean;
}
type Target = { kind: 'ours'; path: string } | { kind: 'package'; name: string };

const within = (path: string, ...dirs: string[]) => dirs.some((dir) => path.startsWith(dir));
const ours = (to: Target, test: (path: string) => boolean) => to.kind === 'ours' && test(to.path);
const framework = (to: Target) => to.kind === 'package' && FRAMEWORKS.includes(to.name);

//  rule                          | who                             | may not import
// biome-ignore format: a table, aligned to be read as one
export const IMPORT_RULES: readonly ImportRule[] = [
  { rule: 'domain-is-plain',        applies: (f) => within(f, 'domain/'),                   forbids: (to) => ours(to, (p) => !within(p, ...PURE_LAYERS)) },
  { rule: 'pure-layers-stay-pure',  applies: (f) => within(f, 'policies/', 'scim/'),        forbids: (to, f) => ours(to, (p) => !within(p, ...PURE_LAYERS, dirOf(f))) },
  // login/ is the sign-in machine: it applies the policies (lockout, MFA requirement), so it may import policies/.
  { rule: 'pure-layers-stay-pure',  applies: (f) => within(f, 'login/'),                    forbids: (to) => ours(to, (p) => !within(p, ...PURE_LAYERS, 'login/', 'policies/')) },
  { rule: 'no-framework-in-pure',   applies: (f) => within(f, 'domain/', 'policies/', 'login/', 'scim/'), forbids: framework },
  { rule: 'repositories-go-down',   applies: (f) => within(f, 'repositories/'),             forbids: (to) => ours(to, (p) => within(p, 'services/', 'policies/', 'http/')) },
  { rule: 'container-at-the-top',   applies: (f) => !CONTAINER_USERS.includes(f),           forbids: (to) => ours(to, (p) => p === 'container.ts') },
];

/** A text rule: a pattern that may not appear in code (comments excluded) outside some files. */
interface TextRule {
  rule: string;
  applies: (file: string) => boolean;
  pattern: RegExp;
}

// A quoted five-character SQLSTATE of a known class: '23505', '40001', '40P01', '57014', '08006' …
const SQLSTATE = /(['"`])(?:0[0-9A-Z]|2[0-9A-F]|3[4-9B-F]|4[024]|5[3-8]|72|F0|HV|P0|XX)[0-9A-Z]{3}\1/;

// biome-ignore format: a table, aligned to be read as one
export const TEXT_RULES: readonly TextRule[] = [
  { rule: 'time-from-the-clock',     applies: (f) => f !== 'util/clock.ts',              pattern: /\bDate\.now\(\s*\)|\bnew\s+Date\(\s*\)/ },
  { rule: 'sqlstate-in-db-only',     applies: (f) => !within(f, 'db/', 'repositories/'), pattern: SQLSTATE },
];

/** The breaches of one file: `file` is its path under the root (`services/identity.ts`), `source` its text. */
export function checkSource(file: string, source: string): Breach[] {
  const code = blankComments(source);
  const lines = source.split('\n');
  const breaches: Breach[] = [];
  const add = (rule: string, line: number) => breaches.push({ file, line, rule, text: (lines[line - 1] ?? '').trim() });
  const importRules = IMPORT_RULES.filter((r) => r.applies(file));
  for (const { specifier, line } of importsOf(code)) {
    const to = resolve(file, specifier);
    for (const r of importRules) if (r.forbids(to, file)) add(r.rule, line);
  }
  const textRules = TEXT_RULES.filter((r) => r.applies(file));
  code.split('\n').forEach((text, i) => {
    for (const r of textRules) if (r.pattern.test(text)) add(r.rule, i + 1);
  });
  return breaches.sort((a, b) => a.line - b.line);
}

/** The breaches of every `.ts` file under `root`. */
export function findBreaches(root = 'src'): Breach[] {
  return tsFiles(root).flatMap((path) =>
    checkSource(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8')),
  );
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return tsFiles(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
}

const STATIC_IMPORT = /(?:^|[\n;])[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*(['"])([^'"]+)\1/g;
const BARE_IMPORT = /(?:^|[\n;])[ \t]*import\s*(['"])([^'"]+)\1/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*(['"`])([^'"`]+)\1\s*\)/g;

function importsOf(code: string): Array<{ specifier: string; line: number }> {
  const found: Array<{ specifier: string; line: number }> = [];
  for (const pattern of [STATIC_IMPORT, BARE_IMPORT, DYNAMIC_IMPORT]) {
    for (const match of code.matchAll(pattern)) {
      const specifier = match[2];
      if (specifier === undefined) continue;
      const at = match.index + match[0].lastIndexOf(specifier);
      found.push({ specifier, line: code.slice(0, at).split('\n').length });
    }
  }
  return found;
}

function resolve(from: string, specifier: string): Target {
  if (!specifier.startsWith('.')) {
    const parts = specifier.replace(/^node:/, '').split('/');
    return { kind: 'package', name: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier) };
  }
  return { kind: 'ours', path: posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts') };
}

function dirOf(file: string): string {
  return file.slice(0, file.indexOf('/') + 1);
}

/** The source with comments replaced by spaces (line breaks kept); strings and regular expressions are copied. */
export function blankComments(source: string): string {
  let out = '';
  let i = 0;
  const substitutions: number[] = []; // for each `${` we are inside, the `{` opened in it and not yet closed
  const opened = () => substitutions.at(-1) ?? 0;
  const setOpened = (count: number) => {
    substitutions[substitutions.length - 1] = count;
  };
  const take = () => (out += source[i++] ?? '');
  const copyUntil = (end: string, inClass = false) => {
    while (i < source.length && source[i] !== '\n' && (source[i] !== end || inClass)) {
      if (source[i] === '\\') take();
      else if (end === '/' && source[i] === '[') inClass = true;
      else if (end === '/' && source[i] === ']') inClass = false;
      take();
    }
    take();
  };
  /** A template body from after its opening `` ` `` or a substitution's `}`, up to its end or the next `${`. */
  const copyTemplateBody = () => {
    while (i < source.length && source[i] !== '`') {
      if (source[i] === '\\') take();
      else if (source[i] === '$' && source[i + 1] === '{') {
        take();
        take();
        substitutions.push(0);
        return;
      }
      take();
    }
    take();
  };
  while (i < source.length) {
    const c = source.charAt(i);
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '/' && /(?:[(,=:[!&|?{};+\-*%<>~^]|^|\breturn)\s*$/.test(out.slice(-20))) {
      take();
      copyUntil('/');
    } else if (c === "'" || c === '"') {
      take();
      copyUntil(c);
    } else if (c === '`') {
      take();
      copyTemplateBody();
    } else if (substitutions.length && c === '{') {
      setOpened(opened() + 1);
      take();
    } else if (substitutions.length && c === '}') {
      take();
      if (opened() === 0) {
        substitutions.pop();
        copyTemplateBody();
      } else setOpened(opened() - 1);
    } else {
      take();
    }
  }
  return out;
}

function main() {
  const root = process.argv[2] ?? 'src';
  const breaches = findBreaches(root);
  for (const b of breaches) console.log(`${posix.join(root, b.file)}:${b.line}  ${b.rule}  ${b.text}`);
  console.log(`${breaches.length} breach${breaches.length === 1 ? '' : 'es'}`);
  process.exitCode = breaches.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
