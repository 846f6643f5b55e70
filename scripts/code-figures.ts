/**
 * Code-health figures anyone can re-run (`npm run figures`): the largest files and
 * longest functions of src/, lines over 120 characters, pairs found by the
 * `duplicates` tool (when it is on PATH) and breaches of the layering rules.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAX_LINE = 120;
const LONG_FUNCTION = 40;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

function linesOf(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n');
}

/** Functions longer than LONG_FUNCTION non-blank lines, as Biome's noExcessiveLinesPerFunction counts them. */
function longFunctions(): { where: string; lines: number }[] {
  const configDir = mkdtempSync(join(tmpdir(), 'figures-'));
  const rule = { level: 'warn', options: { maxLines: LONG_FUNCTION, skipBlankLines: true } };
  writeFileSync(
    join(configDir, 'biome.json'),
    JSON.stringify({ linter: { rules: { recommended: false, complexity: { noExcessiveLinesPerFunction: rule } } } }),
  );
  const run = spawnSync(
    'npx',
    ['biome', 'lint', `--config-path=${configDir}`, '--max-diagnostics=none', '--reporter=json', 'src'],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const report = JSON.parse(run.stdout) as {
    diagnostics: { message: string; location: { path: string; start: { line: number } } }[];
  };
  return report.diagnostics
    .map((d) => ({
      where: `${d.location.path}:${d.location.start.line}`,
      lines: Number(/\((\d+)\)/.exec(d.message)?.[1] ?? 0),
    }))
    .sort((a, b) => b.lines - a.lines);
}

function duplicatePairs(): string {
  try {
    const out = execFileSync('duplicates', ['--repo', 'src', '--seconds', '120', '--most', '1'], { encoding: 'utf8' });
    return out.split('\n')[0] ?? '';
  } catch {
    return 'the duplicates tool is not on PATH';
  }
}

function architectureBreaches(): string {
  const run = spawnSync('node', ['--import', 'tsx', 'scripts/architecture.ts'], { encoding: 'utf8' });
  return run.error ? 'scripts/architecture.ts did not run' : (run.stdout.trim().split('\n').at(-1) ?? '');
}

const src = tsFiles('src');
const sizes = src.map((file) => ({ file, lines: linesOf(file).length })).sort((a, b) => b.lines - a.lines);
const longLines = (dirs: string[]) =>
  dirs.flatMap(tsFiles).flatMap((file) => linesOf(file).filter((line) => line.length > MAX_LINE)).length;
const functions = longFunctions();

console.log(`src/: ${src.length} files, ${sizes.reduce((sum, s) => sum + s.lines, 0)} lines`);
console.log('largest files:');
for (const s of sizes.slice(0, 10)) console.log(`  ${String(s.lines).padStart(5)}  ${s.file}`);
console.log(`functions over ${LONG_FUNCTION} lines (non-blank): ${functions.length}; longest:`);
for (const f of functions.slice(0, 10)) console.log(`  ${String(f.lines).padStart(5)}  ${f.where}`);
console.log(
  `lines over ${MAX_LINE} characters: src/ ${longLines(['src'])}, with test/ bench/ scripts/ ${longLines(['src', 'test', 'bench', 'scripts'])}`,
);
console.log(`duplicates in src/: ${duplicatePairs()}`);
console.log(`architecture: ${architectureBreaches()}`);
