import pg from 'pg';
import knexLib from 'knex';
import { createUserSearch } from '../src/repositories/user-search.js';
const url = 'postgres://postgres@127.0.0.1:5432/gatehouse_bench_admin';
const db = knexLib({ client: 'pg', connection: url });
const captured: { sql: string; bindings: unknown[] }[] = [];
db.on('query', (q: any) => captured.push({ sql: q.sql, bindings: q.bindings }));
const search = createUserSearch(db as any);
const c = new pg.Client({ connectionString: url });
await c.connect();
const acc = (await c.query("SELECT id FROM accounts WHERE name = 'Customer 01'")).rows[0].id;
const cases: Record<string, any> = {
  b: { filter: { q: process.env.Q ?? 'mar' }, sort: { key: 'familyName', descending: false } },
  c: { filter: { accountId: acc }, sort: { key: 'email', descending: false } },
  a: { filter: { status: ['active'], role: ['individual'] }, sort: { key: 'createdAt', descending: true } },
};
for (const k of (process.env.CASES ?? 'b').split(',')) {
  captured.length = 0;
  await search.page({ ...cases[k], scope: { all: true }, limit: 50 });
  for (const q of captured) {
    let i = 0;
    const text = q.sql.replace(/\?/g, () => `$${++i}`);
    const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, q.bindings as any[]);
    console.log(`--- ${k}\n${text}\n${JSON.stringify(q.bindings)}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
  }
}
await c.end();
await db.destroy();
