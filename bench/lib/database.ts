/** The bench's own PostgreSQL database, made fresh for each run and dropped after it. */
import pg from 'pg';

export interface DatabaseOptions {
  /** ALTER DATABASE … SET synchronous_commit to this (BENCH_PG_SYNC_COMMIT); unset: the server's setting. */
  synchronousCommit?: string;
}

/** Drops and creates `name` through the administrative connection `adminUrl`; returns the new database's URL. */
export async function recreateDatabase(adminUrl: string, name: string, options: DatabaseOptions = {}): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('BENCH_DB must be a plain identifier');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    const sync = options.synchronousCommit;
    if (sync) {
      if (!/^(on|off|local|remote_write|remote_apply)$/.test(sync))
        throw new Error('BENCH_PG_SYNC_COMMIT: on, off, local, remote_write or remote_apply');
      await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = ${sync}`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
