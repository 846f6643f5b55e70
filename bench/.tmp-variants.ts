import pg from 'pg';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/gatehouse_bench_admin_explain' });
await c.connect();
const COLS = `users.*`;
const Q = `(lower(users.email) LIKE $1 OR lower(users.user_code) LIKE $1 OR lower(users.given_name) LIKE $1 OR lower(users.family_name) LIKE $1 OR lower(users.display_name) LIKE $1)`;
const K = `coalesce(lower(users.family_name), '')`;
const variants: Record<string, string[]> = {
  current: [
    `SELECT count(*) FROM users WHERE ${Q}`,
    `SELECT ${COLS}, (${K})::text AS sort_key FROM users WHERE ${Q} ORDER BY ${K}, users.id LIMIT 51`,
  ],
  materialized: [
    `WITH matched AS MATERIALIZED (SELECT users.id, ${K} AS k FROM users WHERE ${Q}),
          page AS (SELECT id, k FROM matched ORDER BY k, id LIMIT 51)
     SELECT ${COLS}, page.k::text AS sort_key, (SELECT count(*) FROM matched) AS total
       FROM page JOIN users ON users.id = page.id ORDER BY page.k, page.id`,
  ],
};
const time = async (sql: string, p: unknown[]) => { const t = performance.now(); await c.query(sql, p); return performance.now() - t; };
for (const q of (process.env.QS ?? 'wat,rus,ram,smi,mar,ric,ben,zha').split(',')) {
  const line: string[] = [q];
  for (const [name, sqls] of Object.entries(variants)) {
    const runs: number[] = [];
    for (let i = 0; i < 7; i++) { let ms = 0; for (const s of sqls) ms = Math.max(ms, await time(s, [`%${q}%`])); runs.push(ms); }
    runs.sort((a, b) => a - b);
    line.push(`${name} ${runs[3]!.toFixed(1)} ms`);
  }
  console.log(line.join('  '));
}
await c.end();
