import pg from 'pg';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/gatehouse_bench_admin_explain' });
await c.connect();
const acc = (await c.query("SELECT id FROM accounts WHERE name = $1", [process.env.ACC ?? 'Customer 01'])).rows[0].id;
const E = `EXISTS (SELECT 1 FROM employments e WHERE e.user_id = users.id AND e.account_id = $1)`;
const K = `coalesce(lower(users.email), '')`;
const variants: Record<string, string[]> = {
  current: [`SELECT count(*) FROM users WHERE ${E}`, `SELECT users.*, (${K})::text AS sort_key FROM users WHERE ${E} ORDER BY ${K}, users.id LIMIT 51`],
  count_only: [`SELECT count(*) FROM users WHERE ${E}`],
  count_distinct_emp: [`SELECT count(DISTINCT user_id) FROM employments e WHERE e.account_id = $1`],
  materialized: [
    `WITH matched AS MATERIALIZED (SELECT users.id, ${K} AS k FROM users WHERE ${E}),
          page AS (SELECT id, k FROM matched ORDER BY k, id LIMIT 51)
     SELECT users.*, page.k::text AS sort_key, (SELECT count(*) FROM matched) AS total FROM page JOIN users ON users.id = page.id ORDER BY page.k, page.id`,
  ],
};
const time = async (sql: string, p: unknown[]) => { const t = performance.now(); await c.query(sql, p); return performance.now() - t; };
const run = async (label: string) => {
  const line: string[] = [label];
  for (const [name, sqls] of Object.entries(variants)) {
    const runs: number[] = [];
    for (let i = 0; i < 9; i++) { let ms = 0; for (const s of sqls) ms = Math.max(ms, await time(s, [acc])); runs.push(ms); }
    runs.sort((a, b) => a - b);
    line.push(`${name} ${runs[4]!.toFixed(1)}`);
  }
  console.log(line.join('  '));
};
await run('as is');
if (process.env.IDX) {
  await c.query('CREATE INDEX IF NOT EXISTS tmp_emp_account_user ON employments (account_id, user_id)');
  await c.query('VACUUM ANALYZE employments');
  await run('+ (account_id, user_id)');
  const { rows } = await c.query(`EXPLAIN ANALYZE SELECT count(*) FROM users WHERE ${E}`, [acc]);
  console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
  await c.query('DROP INDEX tmp_emp_account_user');
}
await c.end();
