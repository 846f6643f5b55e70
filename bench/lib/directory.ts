/**
 * The benches' large directory (bench/admin.ts documents its shape): BENCH_USERS users
 * with their rows, 10 accounts, 5 groups, a custom field and a licence, loaded with
 * set-based SQL (generate_series, random() seeded so every run loads the same one).
 */
import pg from 'pg';
import { DEPARTMENTS, GIVEN_NAMES } from './names.js';

/** 200 family names, most common first: drawn as list[floor(200 · u²)], so the first ~7 %, the last ~0.25 %. */
export const FAMILY_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  'Gomez',
  'Phillips',
  'Evans',
  'Turner',
  'Diaz',
  'Parker',
  'Cruz',
  'Edwards',
  'Collins',
  'Reyes',
  'Stewart',
  'Morris',
  'Morales',
  'Murphy',
  'Cook',
  'Rogers',
  'Gutierrez',
  'Ortiz',
  'Morgan',
  'Cooper',
  'Peterson',
  'Bailey',
  'Reed',
  'Kelly',
  'Howard',
  'Ramos',
  'Kim',
  'Cox',
  'Ward',
  'Richardson',
  'Watson',
  'Brooks',
  'Chavez',
  'Wood',
  'Bennett',
  'Gray',
  'Mendoza',
  'Ruiz',
  'Hughes',
  'Price',
  'Alvarez',
  'Castillo',
  'Sanders',
  'Patel',
  'Myers',
  'Long',
  'Ross',
  'Foster',
  'Jimenez',
  'Powell',
  'Jenkins',
  'Perry',
  'Russell',
  'Sullivan',
  'Bell',
  'Coleman',
  'Butler',
  'Henderson',
  'Barnes',
  'Fisher',
  'Vasquez',
  'Simmons',
  'Romero',
  'Jordan',
  'Patterson',
  'Alexander',
  'Hamilton',
  'Graham',
  'Reynolds',
  'Griffin',
  'Wallace',
  'Moreno',
  'West',
  'Cole',
  'Hayes',
  'Bryant',
  'Herrera',
  'Gibson',
  'Ellis',
  'Tran',
  'Medina',
  'Aguilar',
  'Stevens',
  'Murray',
  'Ford',
  'Castro',
  'Marshall',
  'Owens',
  'Harrison',
  'Fernandez',
  'McDonald',
  'Woods',
  'Washington',
  'Kennedy',
  'Wells',
  'Vargas',
  'Henry',
  'Chen',
  'Freeman',
  'Webb',
  'Tucker',
  'Guzman',
  'Burns',
  'Crawford',
  'Müller',
  'Schneider',
  'Fischer',
  'Weber',
  'Becker',
  'Hoffmann',
  'Schulz',
  'Koch',
  'Richter',
  'Wolf',
  'Dubois',
  'Lefebvre',
  'Moreau',
  'Laurent',
  'Rossi',
  'Russo',
  'Ferrari',
  'Esposito',
  'Bianchi',
  'Romano',
  'Kowalski',
  'Nowak',
  'Wiśniewski',
  'Sato',
  'Suzuki',
  'Takahashi',
  'Tanaka',
  'Watanabe',
  'Wang',
  'Zhang',
  'Liu',
  'Yang',
  'Huang',
  'Singh',
  'Kumar',
  'Sharma',
  'Gupta',
  'Khan',
  'Ahmed',
  'Hassan',
  'Okafor',
  'Mensah',
  'Nakamura',
  'Ivanov',
  'Petrov',
];
/** Shares of the main employments held by the 10 customer accounts; the rest is the guest account's. */
export const ACCOUNT_SHARES = [0.1, 0.06, 0.04, 0.03, 0.02, 0.015, 0.01, 0.006, 0.003, 0.001];
export const GROUPS = ['Newsletter', 'Customer 01 staff', 'Beta testers', 'People managers', 'Board'];
/** The custom field of type option every bench user has a value of, and its 20 options. */
export const CF_KEY = 'costCentre';
export const CF_OPTIONS = Array.from({ length: 20 }, (_, i) => `CC-${String(100 + i * 10)}`);
/** The option (1f) filters on. */
export const CF_VALUE = CF_OPTIONS[0]!;
/** The licence type held by ~40 % of the bench users. */
export const LICENCE_KEY = 'office';
export const LICENCE_SHARE = 0.4;

export interface Directory {
  /** The customer accounts, largest first: id and name. */
  accounts: { id: string; name: string }[];
}
export const GUEST_ACCOUNT_ID = '00000000-0000-4000-8000-000000000001';

const BENCH_USER = "email LIKE 'user%@bench.example'";

/** `USERS` users with their rows, 10 accounts, 5 groups, in a few set-based statements. */
export async function loadDirectory(
  dbUrl: string,
  USERS: number,
): Promise<{ ms: number; steps: Record<string, number>; size: string; spread: string; directory: Directory }> {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const steps: Record<string, number> = {};
  const step = async (name: string, sql: string, params: unknown[] = []) => {
    const t = performance.now();
    const r = await db.query(sql, params);
    steps[name] = (steps[name] ?? 0) + performance.now() - t;
    return r;
  };
  const t0 = performance.now();
  try {
    await db.query("SET maintenance_work_mem = '256MB'");
    await db.query('BEGIN');
    // The same directory every run (random() follows the seed within this session).
    await db.query('SELECT setseed(0.42)');
    await step(
      'accounts',
      "INSERT INTO accounts (name, kind) SELECT 'Customer ' || lpad(i::text, 2, '0'), 'customer' FROM generate_series(1, $1::int) AS i",
      [ACCOUNT_SHARES.length],
    );
    const accounts = (
      await db.query("SELECT id, name FROM accounts WHERE kind = 'customer' AND name LIKE 'Customer __' ORDER BY name")
    ).rows as { id: string; name: string }[];
    // Cumulative shares; the guest account takes the rest.
    let sum = 0;
    const bounds = ACCOUNT_SHARES.map((s) => (sum += s)).concat(1.01);
    const accountIds = accounts.map((a) => a.id).concat(GUEST_ACCOUNT_ID);
    await step(
      'users',
      `INSERT INTO users (user_code, email, given_name, family_name, display_name, name_formatted, status, main_role, main_account_id,
                          department, tags, last_sign_in_at, created_at, updated_at, custom_attributes)
       SELECT t.code, t.email, t.g, t.f, t.g || ' ' || t.f, t.g || ' ' || t.f, t.status, t.role, t.account, t.dept, t.tags,
              CASE WHEN t.status = 'new' OR t.r_signed < 0.1 THEN NULL
                   ELSE greatest(t.created, now() - interval '365 days') + t.r_when * (now() - greatest(t.created, now() - interval '365 days')) END,
              t.created, t.created,
              jsonb_build_object($7::text, ($8::text[])[1 + (hashint4(t.n) & 2147483647) % cardinality($8::text[])])
         FROM (SELECT s.n, 'U' || lpad(s.n::text, 7, '0') AS code, 'user' || s.n || '@bench.example' AS email,
                      ($1::text[])[1 + floor(s.r_g * cardinality($1::text[]))::int] AS g,
                      ($2::text[])[1 + floor(power(s.r_f, 2) * cardinality($2::text[]))::int] AS f,
                      CASE WHEN s.r_d < 0.1 THEN NULL ELSE ($3::text[])[1 + floor(s.r_d * 7919)::int % cardinality($3::text[])] END AS dept,
                      CASE WHEN s.r_s < 0.88 THEN 'active' WHEN s.r_s < 0.95 THEN 'new' ELSE 'inactive' END AS status,
                      CASE WHEN s.r_r < 0.95 THEN 'individual' WHEN s.r_r < 0.99 THEN 'manager' ELSE 'hr' END AS role,
                      (SELECT a.id FROM unnest($4::uuid[], $5::float8[]) AS a(id, bound) WHERE a.bound > s.r_a ORDER BY a.bound LIMIT 1) AS account,
                      CASE WHEN s.r_t < 0.05 THEN '{vip}' WHEN s.r_t < 0.25 THEN '{contractor}' ELSE '{}' END::text[] AS tags,
                      now() - s.r_c * interval '730 days' AS created, s.r_signed, s.r_when
                 FROM (SELECT n, random() AS r_g, random() AS r_f, random() AS r_d, random() AS r_s, random() AS r_r, random() AS r_a,
                              random() AS r_t, random() AS r_c, random() AS r_signed, random() AS r_when
                         FROM generate_series(1, $6::int) AS n) AS s) AS t
        ORDER BY t.n`,
      [GIVEN_NAMES, FAMILY_NAMES, DEPARTMENTS, accountIds, bounds, USERS, CF_KEY, CF_OPTIONS],
    );
    // What users.create writes with a user: the primary work email, the main employment, the main role.
    await step(
      'emails',
      `INSERT INTO user_values (user_id, attribute, position, value, type, is_primary) SELECT id, 'emails', 0, email, 'work', true FROM users WHERE ${BENCH_USER}`,
    );
    await step(
      'employments',
      `INSERT INTO employments (user_id, account_id, is_main, start_date) SELECT id, main_account_id, true, created_at::date FROM users WHERE ${BENCH_USER}`,
    );
    await step(
      'roles',
      `INSERT INTO role_assignments (user_id, role) SELECT id, main_role FROM users WHERE ${BENCH_USER}`,
    );
    // A second, not main, employment at a customer account for 4 % (a third of them ended).
    await step(
      'employments',
      `INSERT INTO employments (user_id, account_id, is_main, start_date, end_date)
       SELECT s.id, ($1::uuid[])[1 + floor(s.r * cardinality($1::uuid[]))::int], false, s.created_at::date,
              CASE WHEN s.r2 < 0.33 THEN current_date - (1 + floor(s.r2 * 300))::int END
         FROM (SELECT id, created_at, random() AS r, random() AS r2, random() AS pick FROM users WHERE ${BENCH_USER}) AS s
        WHERE s.pick < 0.04
       ON CONFLICT DO NOTHING`,
      [accounts.map((a) => a.id)],
    );
    await step('groups', 'INSERT INTO groups (display_name) SELECT unnest($1::text[])', [GROUPS]);
    const groupMembers = (sql: string, params: unknown[] = []) =>
      step('groups', `INSERT INTO group_members (group_id, user_id) ${sql}`, params);
    const groupId = `(SELECT id FROM groups WHERE display_name = $1)`;
    await groupMembers(`SELECT ${groupId}, id FROM users WHERE ${BENCH_USER} AND random() < 0.3`, [GROUPS[0]]);
    await groupMembers(`SELECT ${groupId}, id FROM users WHERE ${BENCH_USER} AND main_account_id = $2`, [
      GROUPS[1],
      accounts[0]!.id,
    ]);
    await groupMembers(`SELECT ${groupId}, id FROM users WHERE ${BENCH_USER} AND random() < 0.02`, [GROUPS[2]]);
    await groupMembers(
      `SELECT ${groupId}, id FROM users WHERE ${BENCH_USER} AND main_role IN ('manager', 'hr') AND random() < 0.2`,
      [GROUPS[3]],
    );
    await groupMembers(
      `SELECT ${groupId}, id FROM (SELECT id FROM users WHERE ${BENCH_USER} ORDER BY random() LIMIT 25) AS s`,
      [GROUPS[4]],
    );
    // The custom field's definition as repositories/custom-fields.ts create writes it (the
    // users' values went in with them), and a licence type as repositories/licences.ts create
    // does, held by ~40 % (user_licences rows as licences.add writes them; assigned_at: now).
    await step(
      'custom field',
      `INSERT INTO custom_fields (key, label, type, options, required, claim, position)
       VALUES ($1, 'Cost centre', 'option', $2::jsonb, false, false, 0)`,
      [CF_KEY, JSON.stringify(CF_OPTIONS)],
    );
    await step(
      'licences',
      `WITH t AS (INSERT INTO licence_types (key, name, seats, required_to_sign_in) VALUES ($1, 'Office', NULL, false) RETURNING id)
       INSERT INTO user_licences (user_id, licence_type_id) SELECT u.id, t.id FROM users u, t WHERE u.${BENCH_USER} AND random() < $2`,
      [LICENCE_KEY, LICENCE_SHARE],
    );
    await db.query('COMMIT');
    await step('VACUUM ANALYZE', 'VACUUM (ANALYZE)');

    const [{ rows: counts }, { rows: byAccount }, { rows: byGroup }, { rows: size }] = [
      await db.query(`SELECT count(*)::int AS n,
                       count(*) FILTER (WHERE status = 'active')::int AS active, count(*) FILTER (WHERE status = 'new')::int AS "new",
                       count(*) FILTER (WHERE status = 'inactive')::int AS inactive, count(*) FILTER (WHERE main_role = 'manager')::int AS managers,
                       count(*) FILTER (WHERE main_role = 'hr')::int AS hr, count(*) FILTER (WHERE last_sign_in_at IS NOT NULL)::int AS signed_in,
                       count(DISTINCT family_name)::int AS families,
                       count(*) FILTER (WHERE custom_attributes @> jsonb_build_object('${CF_KEY}', '${CF_VALUE}'))::int AS cf_value,
                       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM user_licences l WHERE l.user_id = users.id))::int AS licensed
                  FROM users WHERE ${BENCH_USER}`),
      await db.query(
        "SELECT a.name, count(DISTINCT e.user_id)::int AS n FROM accounts a JOIN employments e ON e.account_id = a.id WHERE a.kind = 'customer' GROUP BY a.name ORDER BY a.name",
      ),
      await db.query(
        'SELECT g.display_name AS name, count(m.user_id)::int AS n FROM groups g LEFT JOIN group_members m ON m.group_id = g.id GROUP BY g.display_name ORDER BY n DESC',
      ),
      await db.query('SELECT pg_size_pretty(pg_database_size(current_database())) AS size'),
    ];
    const c = counts[0];
    if (c.n < USERS) throw new Error(`expected ${USERS} users after loading, found ${c.n}`);
    const spread =
      `${c.active} active, ${c.new} new, ${c.inactive} inactive; ${c.managers} managers, ${c.hr} hr; ${c.signed_in} signed in within the year; ` +
      `${c.families} family names; employees per account ${byAccount.map((r) => r.n).join(', ')}; group members ${byGroup.map((r) => r.n).join(', ')}; ` +
      `${CF_KEY} ${CF_VALUE}: ${c.cf_value} (of ${CF_OPTIONS.length} options); licence ${LICENCE_KEY}: ${c.licensed}`;
    return { ms: performance.now() - t0, steps, size: size[0].size, spread, directory: { accounts } };
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await db.end();
  }
}
