import knexLib from 'knex';
import { createUserSearch } from '../src/repositories/user-search.js';
const url = 'postgres://postgres@127.0.0.1:5432/gatehouse_bench_admin';
const db = knexLib({ client: 'pg', connection: url, pool: { min: 2, max: 2 } });
const search = createUserSearch(db as any);
const names = (await db('users').distinct('family_name')).map((r: any) => r.family_name.slice(0, 3).toLowerCase());
const out: [string, number, number][] = [];
for (const p of [...new Set(names)] as string[]) {
  if ('user@bench.example'.includes(p)) continue;
  await search.page({ filter: { q: p }, scope: { all: true }, sort: { key: 'familyName', descending: false }, limit: 50 });
  const t = performance.now();
  const r = await search.page({ filter: { q: p }, scope: { all: true }, sort: { key: 'familyName', descending: false }, limit: 50 });
  out.push([p, r.total!, performance.now() - t]);
}
out.sort((a, b) => b[2] - a[2]);
console.log(out.slice(0, 25).map((x) => `${x[0]} total ${x[1]} ${x[2].toFixed(1)} ms`).join('\n'));
console.log('median', out[Math.floor(out.length / 2)]);
await db.destroy();
