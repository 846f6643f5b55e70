/**
 * Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=<dir> npm run bench:signin`):
 * where the server's CPU time went, by package and by function (self and inclusive).
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top=25] [--skip=<s>] [--filter=<text>]
 *
 *   --skip    ignore the first <s> seconds of the profile (start-up, warm-up);
 *             bench/signin.ts prints when the server was ready
 *   --filter  list only inclusive rows whose function or file contains <text>
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
if (!file) {
  console.error('usage: bench/profile-summary.ts <file.cpuprofile> [--top=25] [--skip=<s>] [--filter=<text>]');
  process.exit(2);
}
const top = Number(flag('top') ?? 25);
const skipUs = Number(flag('skip') ?? 0) * 1e6;
const filter = flag('filter');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

function where(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}
function pkg(node: Node): string {
  const { functionName, url } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const w = where(url);
  if (w.startsWith('src/')) return `gatehouse ${w.split('/').slice(0, 2).join('/')}`;
  if (w.startsWith('node:')) return 'node: core';
  return w;
}
const key = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

/** Packages folded into one line of the "attributed" table. */
const GROUPS: [string, RegExp][] = [
  ['PostgreSQL client (knex, pg, tarn)', /^(knex|pg|pg-.*|tarn|postgres-.*|lodash)$/],
  [
    'oidc-provider (+ jose, its koa)',
    /^(oidc-provider|jose|@koa\/cors|quick-lru|nanoid|paseto|jsesc|oidc-token-hash|eta|got|raw-body|content-type)$/,
  ],
  ['argon2 (call + thread time slices)', /^(argon2|@phc\/format)$/],
  [
    'koa, router, cookies, headers',
    /^(koa|koa-compose|@koa\/router|cookies|keygrip|tsscmp|delegates|on-finished|ee-first|type-is|mime-types|mime-db|media-typer|negotiator|accepts|vary|statuses|http-errors|depd|content-disposition|encodeurl|escape-html|fresh|only|destroy|debug|ms|path-to-regexp|koa-.*)$/,
  ],
  ['Gatehouse src/', /^gatehouse /],
];
function group(p: string): string {
  for (const [name, re] of GROUPS) if (re.test(p)) return name;
  return p;
}
/** Self time, with node core/native frames charged to the nearest package above them. */
const attributed = new Map<string, number>();
const self = new Map<string, number>();
const selfPkg = new Map<string, number>();
const inclusive = new Map<string, number>();
const inclusivePkg = new Map<string, number>();
let total = 0;
let idle = 0;
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i] ?? 0;
  const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
  if (at - profile.startTime < skipUs) continue;
  const leaf = byId.get(profile.samples[i]!)!;
  if (leaf.callFrame.functionName === '(idle)') {
    idle += dt;
    continue;
  }
  total += dt;
  self.set(key(leaf), (self.get(key(leaf)) ?? 0) + dt);
  selfPkg.set(pkg(leaf), (selfPkg.get(pkg(leaf)) ?? 0) + dt);
  let owner = 'node core only (http parser, sockets, timers)';
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const p = pkg(byId.get(id)!);
    if (p === '(garbage collector)' || p === '(program)') {
      owner = p;
      break;
    }
    if (p !== 'node: core' && p !== '(native)' && p !== '(root)') {
      owner = group(p);
      break;
    }
  }
  attributed.set(owner, (attributed.get(owner) ?? 0) + dt);
  const seen = new Set<string>();
  const seenPkg = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const n = byId.get(id)!;
    const k = key(n);
    if (!seen.has(k)) {
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
    const p = pkg(n);
    if (!seenPkg.has(p)) {
      seenPkg.add(p);
      inclusivePkg.set(p, (inclusivePkg.get(p) ?? 0) + dt);
    }
  }
}

const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>, n: number, match?: string) => {
  console.log(`\n${title}`);
  const top = [...m]
    .filter(([k]) => !match || k.toLowerCase().includes(match.toLowerCase()))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
  for (const [k, v] of top) console.log(`  ${pct(v)}  ${v.toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(
  `${file}: ${total.toFixed(0)} ms on CPU (this thread), ${idle.toFixed(0)} ms idle${skipUs ? `, first ${skipUs / 1e6} s skipped` : ''}`,
);
if (filter) {
  print(`inclusive, matching "${filter}"`, inclusive, top, filter);
} else {
  print(
    'attributed time (node core and native frames charged to the nearest package that called them)',
    attributed,
    top,
  );
  print('self time by package', selfPkg, top);
  print('inclusive time by package (a stack counts once per package)', inclusivePkg, top);
  print('self time by function', self, top);
  print('inclusive time by function', inclusive, top);
}
