import type { Db } from '../db/database.js';

/** A statement as rate-limiter-flexible's RateLimiterPostgres sends it (`$n` placeholders). */
interface StoreQuery {
  text: string;
  values?: unknown[];
}

export const RATE_LIMITS_TABLE = 'rate_limits';

/**
 * The `rate_limits` table (migration 20261207020000), shared by every instance.
 * `client` is what RateLimiterPostgres takes as its store (`storeType: 'pool'`):
 * its own parameterised statements (one upsert per consumed point; the checks
 * read no row: services/rate-limits.ts keeps each instance's verdicts) run
 * through knex, so the same code serves PostgreSQL and the embedded PGlite (whose
 * single connection knex hands out in turn).
 */
export function createRateLimitStore(db: Db) {
  return {
    client: {
      async query(q: StoreQuery): Promise<{ rows: { points: number; expire: number | null }[]; rowCount: number }> {
        const bindings: unknown[] = [];
        // knex binds `?`: each `$n` becomes one, with its value in order (a `$n` may appear twice).
        const sql = q.text.replace(/\$(\d+)/g, (_, n: string) => {
          bindings.push(q.values?.[Number(n) - 1] ?? null);
          return '?';
        });
        const result = (await db.raw(sql, bindings as never[])) as {
          rows?: Record<string, unknown>[];
          rowCount?: number;
        };
        const rows = (result.rows ?? []).map((r) => ({
          points: Number(r.points),
          expire: r.expire === null || r.expire === undefined ? null : Number(r.expire),
        }));
        // knex-pglite reports a SELECT's rowCount as 0 (affected rows): the rows say it.
        return { rows, rowCount: rows.length || (result.rowCount ?? 0) };
      },
    },
    /** Deletes the rows whose window ended before `now`; returns how many. */
    async deleteExpired(now: Date): Promise<number> {
      return db(RATE_LIMITS_TABLE).where('expire', '<', now.getTime()).delete();
    },
  };
}
export type RateLimitStore = ReturnType<typeof createRateLimitStore>;
