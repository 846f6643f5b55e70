import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { processDatabase, type ProcessDatabase } from '../helpers/database.js';
import { eventually } from '../helpers/receiver.js';

/**
 * The operator's view: the `gatehouse` command and `npm start` as processes, on
 * the embedded database in a DATA_DIR (or on PostgreSQL under TEST_DATABASE_URL).
 */
const root = new URL('../..', import.meta.url).pathname;
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  LOG_LEVEL: 'warn',
  GATEHOUSE_SECRET: 'cli-test-secret-cli-test-secret-0000',
};
delete env.DATABASE_URL;
let database: ProcessDatabase | undefined;

test.before(async () => {
  database = await processDatabase('cli');
  Object.assign(env, database.env);
});
test.after.always(() => database?.drop());

function run(
  args: string[],
  runEnv: Record<string, string> = env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/gatehouse.js'), ...args], { cwd: root, env: runEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

// The CLI shares one data directory: its steps run in order.
test.serial('migrate, then create a user and show it by email, id and userCode', async (t) => {
  // Every migration on a new embedded database: about 11 s on a quiet machine, minutes on a busy one.
  t.timeout(5 * 60_000);
  t.is((await run(['migrate'])).code, 0);
  const created = await run([
    'user',
    'create',
    '--email',
    'Ada@Example.com',
    '--password',
    'violet-harbour-47-lantern',
    '--role',
    'super_admin',
    '--given-name',
    'Ada',
    '--user-code',
    'ADA1',
  ]);
  t.is(created.code, 0, created.stderr);
  const user = JSON.parse(created.stdout);
  t.regex(user.id, /^[0-9a-f-]{36}$/);
  t.is(user.mainRole, 'super_admin');
  t.is(user.status, 'active');
  t.false('passwordHash' in user || created.stdout.includes('argon2'), 'no hash is printed');

  for (const key of ['ada@example.com', user.id, 'ada1']) {
    const shown = await run(['user', 'show', key]);
    t.is(shown.code, 0, shown.stderr);
    t.is(JSON.parse(shown.stdout).id, user.id);
  }
});

test.serial('bad input: a clear message on stderr and a non-zero exit', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [
      ['user', 'create', '--email', 'not-an-email', '--password', 'violet-harbour-47-lantern', '--role', 'admin'],
      /not an email address/,
    ],
    [
      ['user', 'create', '--email', 'x@example.com', '--password', 'violet-harbour-47-lantern', '--role', 'boss'],
      /--role must be one of/,
    ],
    [
      ['user', 'create', '--email', 'x@example.com', '--password', 'short', '--role', 'admin'],
      /at least 12 characters/,
    ],
    [
      ['user', 'create', '--email', 'ADA@example.com', '--password', 'violet-harbour-47-lantern', '--role', 'admin'],
      /already exists/,
    ],
    [
      [
        'user',
        'create',
        '--email',
        'x@example.com',
        '--password',
        'violet-harbour-47-lantern',
        '--role',
        'admin',
        '--bogus',
      ],
      /unknown option --bogus/,
    ],
    [['user', 'show', 'nobody@example.com'], /No user matches/],
    [['user', 'set-status', 'ada1', '--status', 'sleepy'], /--status must be one of/],
    [['client', 'create', '--client-id', 'web'], /needs a redirect URI/],
    [['resource', 'create', '--indicator', 'not a url', '--scopes', 'a'], /absolute URL/],
    [['frobnicate'], /unknown command/],
    [['mail', 'list', '--limit', 'abc'], /--limit must be a whole number from 1 to 1000, not "abc"/],
    [['usr', 'list'], /did you mean: gatehouse user list\?/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    t.not(r.code, 0, args.join(' '));
    t.regex(r.stderr, message, args.join(' '));
    t.is(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
  }
});

test.serial("--help: a command's usage on stdout, exit 0", async (t) => {
  const out = await run(['user', 'list', '--help']);
  t.is(out.code, 0, out.stderr);
  t.regex(out.stdout, /^usage: gatehouse user list \[--q TEXT\] \[--status a,b\]/);
  t.is(out.stderr, '');
});

test.serial('set-status and set-password', async (t) => {
  const status = await run(['user', 'set-status', 'ada1', '--status', 'inactive']);
  t.is(status.code, 0, status.stderr);
  t.is(JSON.parse(status.stdout).status, 'inactive');
  const password = await run(['user', 'set-password', 'ada1', '--password', 'quiet-meadow-81-compass']);
  t.is(password.code, 0, password.stderr);
  t.true(JSON.parse(password.stdout).passwordChanged);
  const common = await run(['user', 'set-password', 'ada1', '--password', 'iloveyou1234']);
  t.regex(common.stderr, /too common/);
});

test.serial('user reset-mfa: by email, id or userCode; a missing or unknown user is an error', async (t) => {
  const reset = await run(['user', 'reset-mfa', 'ada1']);
  t.is(reset.code, 0, reset.stderr);
  const out = JSON.parse(reset.stdout);
  t.true(out.mfaReset);
  t.regex(out.id, /^[0-9a-f-]{36}$/);
  const missing = await run(['user', 'reset-mfa']);
  t.not(missing.code, 0);
  t.regex(missing.stderr, /which user/);
  t.regex((await run(['user', 'reset-mfa', 'nobody@example.com'])).stderr, /No user matches/);
});

test.serial(
  'user restore (by id) brings a deleted user back as inactive; user approve activates a pending one',
  async (t) => {
    const made = await run([
      'user',
      'create',
      '--email',
      'grace@example.com',
      '--password',
      'violet-harbour-47-lantern',
      '--role',
      'individual',
    ]);
    t.is(made.code, 0, made.stderr);
    const { id } = JSON.parse(made.stdout);
    t.is((await run(['user', 'set-status', id, '--status', 'deleted'])).code, 0);
    const restored = await run(['user', 'restore', id]);
    t.is(restored.code, 0, restored.stderr);
    t.is(JSON.parse(restored.stdout).status, 'inactive');
    const again = await run(['user', 'restore', id]);
    t.is(again.code, 4, 'a user not deleted is a conflict');
    t.regex(again.stderr, /only a deleted user is restored/);
    t.is((await run(['user', 'restore', 'grace@example.com'])).code, 2, "restore takes the deleted user's id");

    t.is((await run(['user', 'set-status', id, '--status', 'pending'])).code, 0);
    const approved = await run(['user', 'approve', 'grace@example.com']);
    t.is(approved.code, 0, approved.stderr);
    t.like(JSON.parse(approved.stdout), { user: { status: 'active' }, notified: true });
  },
);

test.serial('licence types and licences: create, assign within the seats, list, delete', async (t) => {
  const made = await run(['licence', 'create', 'office', '--name', 'Office', '--seats', '1']);
  t.is(made.code, 0, made.stderr);
  t.like(JSON.parse(made.stdout), { key: 'office', name: 'Office', seats: 1, seatsUsed: 0, requiredToSignIn: false });
  t.is((await run(['licence', 'create', 'office', '--name', 'Again'])).code, 4, 'a key taken: conflict');
  const given = await run(['licence', 'assign', 'office', 'ada1']);
  t.is(given.code, 0, given.stderr);
  t.true(JSON.parse(given.stdout).assigned);
  await run([
    'user',
    'create',
    '--email',
    'bo@example.com',
    '--password',
    'violet-harbour-47-lantern',
    '--role',
    'individual',
  ]);
  const full = await run(['licence', 'assign', 'office', 'bo@example.com']);
  t.is(full.code, 4, 'every seat taken: conflict');
  t.regex(full.stderr, /Every seat of the licence "office" is taken/);
  t.like(JSON.parse((await run(['licence', 'list'])).stdout)[0], { key: 'office', seatsUsed: 1 });
  t.is((await run(['licence', 'delete', 'office'])).code, 0);
  t.is((await run(['licence', 'delete', 'office'])).code, 3, 'gone: not found');
});

test.serial('client, resource and key rotation', async (t) => {
  const client = await run([
    'client',
    'create',
    '--client-id',
    'lms',
    '--redirect-uri',
    'https://lms.example.com/cb',
    '--redirect-uri',
    'https://lms.example.com/cb2',
    '--grant-types',
    'authorization_code,refresh_token',
    '--first-party',
  ]);
  t.is(client.code, 0, client.stderr);
  const c = JSON.parse(client.stdout);
  t.is(c.client_id, 'lms');
  t.true(c.client_secret.length >= 32, 'a secret is generated and shown once');
  t.deepEqual(c.redirect_uris, ['https://lms.example.com/cb', 'https://lms.example.com/cb2']);
  t.regex(
    (await run(['client', 'create', '--client-id', 'lms', '--redirect-uri', 'https://x.test/cb'])).stderr,
    /already exists/,
  );
  const pub = JSON.parse(
    (await run(['client', 'create', '--client-id', 'spa', '--redirect-uri', 'http://localhost:5173/cb', '--public']))
      .stdout,
  );
  t.is(pub.token_endpoint_auth_method, 'none');
  t.false('client_secret' in pub);

  const resource = await run([
    'resource',
    'create',
    '--indicator',
    'https://api.example.com',
    '--scopes',
    'courses:read courses:write',
  ]);
  t.deepEqual(JSON.parse(resource.stdout).scopes, ['courses:read', 'courses:write']);
  const api = await run([
    'client',
    'create',
    '--client-id',
    'courses-api',
    '--grant-types',
    'client_credentials',
    '--resource-server',
    'https://api.example.com',
  ]);
  t.is(api.code, 0, api.stderr);
  t.is(
    JSON.parse(api.stdout).resource_server,
    'https://api.example.com',
    'the client is registered as that resource server',
  );
  t.regex(
    (
      await run([
        'client',
        'create',
        '--client-id',
        'other-api',
        '--grant-types',
        'client_credentials',
        '--resource-server',
        'https://nowhere.example.com',
      ])
    ).stderr,
    /No resource server/,
  );

  const first = JSON.parse((await run(['keys', 'rotate'])).stdout);
  t.is(first.created.length, 2, 'an RS256 and an ES256 key');
  const rotated = await run(['keys', 'rotate']);
  t.is(rotated.code, 0, rotated.stderr);
  const { retired, created } = JSON.parse(rotated.stdout);
  t.is(created.length, 2);
  t.deepEqual([...retired].sort(), [...first.created].sort(), 'the previous keys are retired');
});

test.serial('npm start: ready on the database, says how to make the first super admin, stops on SIGTERM', async (t) => {
  // A fresh data directory: an empty database.
  const emptyDir = mkdtempSync(join(tmpdir(), 'gatehouse-start-'));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const startEnv: Record<string, string> = {
    ...env,
    DATA_DIR: emptyDir,
    PORT: String(port),
    ISSUER: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'info',
  };
  delete (startEnv as Record<string, string | undefined>).DATABASE_URL;
  delete (startEnv as Record<string, string | undefined>).GATEHOUSE_SECRET;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: startEnv });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  try {
    // A first start runs every migration on a new embedded database: ~11 s alone, longer beside other test files.
    let ready: Response | undefined;
    for (let i = 0; i < 600 && !ready?.ok; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    }
    t.true(ready?.ok, log);
    // Stdout is written in batches, flushed at least every second: the start's lines come soon after ready.
    await eventually(() => (/GATEHOUSE_SECRET is not set/.test(log) ? true : undefined), 'the secret warning');
    await eventually(
      () => (/user create --email .* --role super_admin/.test(log) ? true : undefined),
      'the first-admin hint',
    );
    const discovery = (await (await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    t.is(discovery.issuer, `http://127.0.0.1:${port}`);

    // The server owns the embedded database: the CLI runs its commands in the server.
    const created = await run(
      [
        'user',
        'create',
        '--email',
        'first@example.com',
        '--password',
        'violet-harbour-47-lantern',
        '--role',
        'super_admin',
      ],
      startEnv,
    );
    t.is(created.code, 0, created.stderr);
    const client = await run(
      ['client', 'create', '--client-id', 'live-app', '--redirect-uri', 'http://localhost:8080/cb', '--first-party'],
      startEnv,
    );
    t.is(client.code, 0, client.stderr);
    const auth = new URL(`http://127.0.0.1:${port}/auth`);
    auth.search = new URLSearchParams({
      client_id: 'live-app',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'http://localhost:8080/cb',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(auth, { redirect: 'manual' });
    t.is(res.status, 303, 'the running server knows the client the CLI created');
    t.regex(res.headers.get('location') ?? '', /\/interaction\//);
    t.is(JSON.parse((await run(['user', 'show', 'first@example.com'], startEnv)).stdout).mainRole, 'super_admin');
    t.regex((await run(['user', 'show', 'nobody@example.com'], startEnv)).stderr, /No user matches/);
    t.false(log.includes('violet-harbour'), 'no password in the logs');

    // An HR system's token from the CLI, shown once, works against /scim/v2 until revoked.
    const made = await run(['scim-token', 'create', '--name', 'Entra ID'], startEnv);
    t.is(made.code, 0, made.stderr);
    const { token, name, grantableRoles, trustEmails } = JSON.parse(made.stdout);
    t.is(name, 'Entra ID');
    t.deepEqual(grantableRoles, ['individual', 'manager', 'hr']);
    t.false(trustEmails, 'emails are not vouched for unless asked');
    const hr = await run(['scim-token', 'create', '--name', 'Workday', '--trust-emails'], startEnv);
    t.true(JSON.parse(hr.stdout).trustEmails, hr.stderr);
    const scim = (path: string) =>
      fetch(`http://127.0.0.1:${port}/scim/v2${path}`, { headers: { authorization: `Bearer ${token}` } });
    const found = await scim(`/Users?filter=${encodeURIComponent('emails.value eq "FIRST@example.com"')}`);
    t.is(found.status, 200);
    t.is(((await found.json()) as { totalResults: number }).totalResults, 1);
    const listed = JSON.parse((await run(['scim-token', 'list'], startEnv)).stdout);
    t.truthy(listed.find((k: { name: string }) => k.name === 'Entra ID').lastUsedAt, 'the last use is recorded');
    t.false(JSON.stringify(listed).includes(token), 'the token is never shown again');
    t.regex((await run(['scim-token', 'create', '--name', 'entra id'], startEnv)).stderr, /exists/);
    t.is((await run(['scim-token', 'revoke', 'Entra ID'], startEnv)).code, 0);
    t.is((await scim('/Users')).status, 401);
    t.false(log.includes(token), 'no token in the logs');
  } finally {
    child.kill('SIGTERM');
  }
  const code = await new Promise((resolve) => child.on('close', resolve));
  t.is(code, 0);
  t.regex(log, /gatehouse\.stopped/);
  t.false(existsSync(join(emptyDir, 'gatehouse.sock')), 'the CLI socket goes with the server');
  rmSync(emptyDir, { recursive: true, force: true });
});
