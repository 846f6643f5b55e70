import { randomInt } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CsvError, parse, type Info } from 'csv-parse';
import type { Logger } from 'pino';
import type { Executor, Transact } from '../db/database.js';
import { databaseFault } from '../db/database-error.js';
import { GUEST_ACCOUNT_ID } from '../domain/account.js';
import { PROFILE_FIELDS, type Profile, type User } from '../domain/user.js';
import { AppError, assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { ImportKey, ImportMode } from '../domain/import-job.js';
import {
  checkImportRow,
  IMPORT_COLUMNS,
  importHeader,
  matchImportRow,
  type ImportColumn,
  type ImportRow,
  type RowProblem,
  type RowRules,
} from '../policies/import-row.js';
import { maySignIn } from '../policies/status.js';
import { drawUserCode } from '../policies/user-code.js';
import type {
  ImportCounts,
  ImportEnd,
  ImportJob,
  ImportJobsRepository,
  ImportRowError,
} from '../repositories/import-jobs.js';
import type {
  ImportAudit,
  ImportedChange,
  ImportedUser,
  ImportTarget,
  UserImportRepository,
} from '../repositories/user-import.js';
import type { LicencesRepository } from '../repositories/licences.js';
import type { UsersRepository } from '../repositories/users.js';
import type { UserRelationsRepository } from '../repositories/user-relations.js';
import { assertSuperAdminRemains } from './last-super-admin.js';
import type { Operator } from '../domain/operator.js';
import type { WebhookOutboxService } from './webhook-outbox.js';
import type { Clock } from '../util/clock.js';
import type { PhonesAndAddresses, UserContactsRepository } from '../repositories/user-contacts.js';
import type { UserRecordService } from './user-record.js';
import { checkUserRecord, type RecordRules } from '../policies/user-record.js';
import { ADDRESS_COLUMNS, withAddressParts } from '../policies/contact-cells.js';
import { defined } from '../util/defined.js';

export interface ImportOptions {
  key: ImportKey;
  mode: ImportMode;
  /** Do everything, then roll back: exact counts and errors, nothing written. */
  dryRun: boolean;
}

/** Where a running import is, after each batch. */
export interface ImportProgress extends ImportCounts {
  /** Bytes of the file read so far. */
  bytes: number;
}

const MAX_ROWS = 1_000_000;
const ADDRESS_PARTS = new Set<string>(ADDRESS_COLUMNS);
const ERROR_PAGE = 5000;
const LISTED = 50;

/** Thrown inside a dry run's transaction to roll it back. */
class DryRunEnd extends Error {}

type Records = AsyncIterator<{ record: string[]; info: Info }>;

/** A row of the file: its number (1 = the first data row) and its cells. */
interface RawRow {
  n: number;
  cells: string[];
}
interface GoodRow extends ImportRow {
  n: number;
}
/** A good row and the user it changes (none: it creates one). */
interface Planned {
  row: GoodRow;
  target?: ImportTarget;
  /** The phones and addresses the row writes (the kinds it gives). */
  contacts?: Partial<PhonesAndAddresses>;
}

/** One import under way: its job, where it is in the file, and what the job row has not been told yet. */
interface ImportRun {
  job: ImportJob;
  options: ImportOptions;
  rules: RowRules;
  /** The user record's rules, read once for the file. */
  record: RecordRules;
  columns: ImportColumn[];
  audit: ImportAudit;
  counts: ImportCounts;
  /** Bytes of the file read so far. */
  bytes: number;
  /** Row errors not written to the job yet. */
  unwritten: ImportRowError[];
  /** The keys, emails and userCodes of the file so far, lower-cased. */
  seen: { keys: Set<string>; email: Set<string>; userCode: Set<string> };
  /** Main account ids by reference, lower-cased, for the whole file. */
  accounts: Map<string, string>;
  /** Users who may no longer sign in: their sessions end once the import has committed. */
  signedOut: string[];
  /** The lease renewal found the job ended by another instance. */
  lost: boolean;
  onProgress?: (p: ImportProgress) => void;
}

/** How the rows' transaction ended: the job it finished (none: rolled back), and why it failed (none: it did not). */
interface Outcome {
  finished?: ImportJob;
  failure: { message: string; code: string } | null;
}

/**
 * Users from a CSV file (SPEC "Administration": CSV import). The file streams
 * through in batches; each batch is checked with a few set-based lookups and
 * written with a few statements. All good rows go in ONE transaction: a fault
 * part-way (a malformed line, a database error) writes no user, and a dry run
 * rolls it back on purpose. Bad rows are reported and skipped. The job's
 * progress and errors are written outside that transaction (live when the
 * database has a second connection; at the end on embedded PGlite); its
 * `created` and `updated` commit with the users, in the same transaction.
 *
 * A running job holds a lease of `leaseSeconds`, renewed every third of it
 * (and at each batch) on a connection outside the import's transaction. A job
 * whose lease ran out is marked failed, `import.interrupted`, when it is read or
 * listed and by `interruptAbandoned` (at start and periodically): its process
 * died, its transaction rolled back, the same file can simply run again. An
 * import that finds its job ended by another instance rolls back. On embedded
 * PGlite the lease is not renewed while the import holds the only connection:
 * nobody else can read the job then, this process skips its own jobs, and a
 * process that dies takes the database with it (`interruptAbandoned({ all })`
 * at the next start ends every job left running).
 *
 * Raises, before any job exists: import.invalid_header (400). A job's errorCode:
 * import.interrupted, import.invalid_csv, import.incomplete, import.too_many_rows,
 * import.database_error, import.server_error. Row error codes:
 * import.invalid_row, .invalid_email, .invalid_status, .invalid_role,
 * .forbidden_role, .invalid_tags, .too_long, .invalid_value, .missing_key,
 * .duplicate_key, .exists, .not_found, .ambiguous_key, .forbidden_target,
 * .email_taken, .user_code_taken, .duplicate_email, .duplicate_user_code,
 * .account_not_found, .invalid_licences, .licence_not_found, .no_seats.
 */
export function createUserImportService(deps: {
  jobs: ImportJobsRepository;
  store: UserImportRepository;
  users: Pick<UsersRepository, 'syncPrimaryEmails'>;
  relations: Pick<UserRelationsRepository, 'lockedSuperAdminCount'>;
  licences: Pick<LicencesRepository, 'lockByKeys' | 'keysOf' | 'replace' | 'signedInWithoutLicence'>;
  /** A transaction that is never retried: the file cannot be read twice. */
  transaction: Transact;
  endSessions: (userId: string) => Promise<unknown>;
  /** Webhook deliveries of the users the job created and changed, in its transaction. */
  webhooks: Pick<WebhookOutboxService, 'enqueueImported'>;
  duplicateEmails: () => boolean;
  log: Logger;
  clock: Clock;
  /** How long a running job stays running without a sign of life from its process. */
  leaseSeconds: number;
  batchSize?: number;
  /** The user record's rules (required fields, custom fields); without: none. */
  record?: Pick<UserRecordService, 'rules'>;
  /** Phones and addresses of the users imported. */
  contacts?: Pick<UserContactsRepository, 'of' | 'replace'>;
}) {
  const { jobs, store, clock } = deps;
  const batchSize = deps.batchSize ?? 1000;
  /** The jobs this process is running: alive whatever their lease says. */
  const running = new Set<string>();
  const leaseEnd = () => new Date(clock.now().getTime() + deps.leaseSeconds * 1000);
  const interruptedError = () => fail('import.interrupted');

  /** Ends the running jobs whose lease ran out (`all`: every running job but this process's own). */
  async function interruptAbandoned(options: { all?: boolean; only?: string } = {}): Promise<number> {
    const ended = await jobs.interruptExpired(clock.now(), { ...options, except: [...running] });
    if (ended) deps.log.warn({ jobs: ended, importJobId: options.only }, 'import.interrupted');
    return ended;
  }

  /** The lease, renewed on its own connection (not on embedded PGlite: the import holds the only one); returns its end. */
  function keepLease(run: ImportRun): () => void {
    if (!jobs.concurrent) return () => {};
    const renewal = setInterval(
      () =>
        void jobs.renew(run.job.id, leaseEnd()).then(
          (alive) => (run.lost ||= !alive),
          (err) => deps.log.warn({ err, importJobId: run.job.id }, 'import.lease_renewal_failed'),
        ),
      Math.max(200, (deps.leaseSeconds * 1000) / 3),
    );
    renewal.unref();
    return () => clearInterval(renewal);
  }

  /** Every row in ONE transaction that finishes the job (a dry run rolls it back); a fault is the outcome's failure. */
  async function importRows(run: ImportRun, records: Records): Promise<Outcome> {
    try {
      const finished = await deps.transaction(async (trx) => {
        await store.begin(trx);
        for await (const batch of batches(run, records, batchSize)) {
          await importBatch(run, batch, trx);
          // After each full batch; the last, partial one is followed by the finish.
          if (batch.length < batchSize) continue;
          assertThat(!run.lost, interruptedError);
          await publish(run);
        }
        if (run.options.dryRun) throw new DryRunEnd();
        await deps.webhooks.enqueueImported(run.job.id, trx);
        // The counters commit with the users, or not at all: an instance that ended the job meanwhile rolls the import back.
        const finished = await jobs.finish(
          run.job.id,
          run.counts,
          run.unwritten,
          { status: 'succeeded', error: null, errorCode: null },
          trx,
        );
        assertThat(finished, interruptedError);
        return finished;
      });
      return { finished, failure: null };
    } catch (err) {
      if (err instanceof DryRunEnd) return { failure: null };
      if (!(err instanceof CsvError) && !(err instanceof AppError && err.expose))
        deps.log.error({ err, importJobId: run.job.id }, 'import.failed');
      return { failure: describe(err) };
    }
  }

  /** Plans a batch, then creates and changes its users and counts them. */
  async function importBatch(run: ImportRun, batch: RawRow[], trx: Executor) {
    const { counts } = run;
    const accountOf = (row: GoodRow) =>
      row.values.mainAccount === undefined ? undefined : run.accounts.get(row.values.mainAccount.toLowerCase());
    const planned = await withLicences(
      run,
      await checkRecords(
        run,
        await withAccounts(run, await freeIdentifiers(run, await plan(run, batch, trx), trx), trx),
        accountOf,
        trx,
      ),
      trx,
    );
    const fresh = planned.filter((p) => !p.target).map((p) => p.row);
    const codes = await freeUserCodes(run, fresh.filter((r) => !r.values.userCode).length, trx);
    const created: ImportedUser[] = fresh.map((row) => ({
      userCode: row.values.userCode ?? defined(codes.pop(), 'a free User ID'),
      email: row.values.email ?? null,
      emailVerified: Boolean(row.values.email && row.values.emailVerified),
      status: row.values.status ?? 'import',
      mainRole: row.values.mainRole ?? 'individual',
      mainAccountId: accountOf(row) ?? GUEST_ACCOUNT_ID,
      externalId: row.values.externalId ?? null,
      tags: row.values.tags ?? [],
      expiresAt: row.values.expiresAt ?? null,
      customAttributes: row.values.custom ?? {},
      profile: Object.fromEntries(
        PROFILE_FIELDS.flatMap((f) => (row.values[f] === undefined ? [] : [[f, row.values[f]]])),
      ),
    }));
    const changed = planned.flatMap((p) =>
      p.target ? (changeOf(p.target, p.row, accountOf(p.row), run.options.key, p.contacts) ?? []) : [],
    );

    const made = await store.create(created, run.audit, trx);
    assertThat(made === created.length, () => fail('import.write_failed', { made, planned: created.length }));
    await store.update(changed, run.audit, trx);
    await writeContacts(planned, created, trx);
    const superAdmins = new Set(
      planned.flatMap((p) => (p.target?.roles.includes('super_admin') ? [p.target.user.id] : [])),
    );
    if (changed.some((c) => superAdmins.has(c.id) && (c.roleFrom || (c.statusChanged && !maySignIn(c.after.status)))))
      await assertSuperAdminRemains(deps.relations, trx);
    await deps.users.syncPrimaryEmails(
      changed.filter((c) => c.emailChanged).map((c) => ({ id: c.id, email: c.after.email })),
      trx,
    );
    for (const c of changed) if (c.statusChanged && !maySignIn(c.after.status)) run.signedOut.push(c.id);
    await writeLicences(run, planned, created, trx);
    counts.processed += batch.length;
    counts.created += created.length;
    // Rows matching a user count as updated, also when they change nothing (those are not written).
    counts.updated += planned.length - created.length;
  }

  /**
   * Each row's user as it will be, against the user record's rules (required
   * fields, custom fields): a row that breaks one is a bad row. Reads the phones
   * and addresses of the users changed when a column or a rule needs them.
   */
  async function checkRecords(
    run: ImportRun,
    planned: Planned[],
    accountOf: (row: GoodRow) => string | undefined,
    trx: Executor,
  ): Promise<Planned[]> {
    const { requiredFields } = run.record;
    const needsContacts =
      run.columns.some((c) => c === 'phoneNumbers' || ADDRESS_PARTS.has(c)) ||
      requiredFields.includes('phoneNumbers') ||
      requiredFields.includes('addresses');
    const current =
      needsContacts && deps.contacts
        ? await deps.contacts.of(
            planned.flatMap((p) => p.target?.user.id ?? []),
            trx,
          )
        : new Map<string, PhonesAndAddresses>();
    return planned.flatMap((p) => {
      const v = p.row.values;
      const before = p.target?.user;
      const had = (before && current.get(before.id)) ?? { phoneNumbers: [], addresses: [] };
      const contacts: Partial<PhonesAndAddresses> = {
        phoneNumbers: v.phoneNumbers,
        addresses: v.address ? withAddressParts(had.addresses, v.address) : undefined,
      };
      const profile = Object.fromEntries(PROFILE_FIELDS.map((f) => [f, v[f] ?? before?.[f] ?? null]));
      const problems = checkUserRecord(
        {
          ...profile,
          email: v.email ?? before?.email ?? null,
          externalId: v.externalId ?? before?.externalId ?? null,
          mainAccountId: accountOf(p.row) ?? before?.mainAccountId ?? GUEST_ACCOUNT_ID,
          customAttributes: { ...before?.customAttributes, ...v.custom },
          // Read whenever a rule asks for them (`needsContacts`).
          phoneNumbers: contacts.phoneNumbers ?? had.phoneNumbers,
          addresses: contacts.addresses ?? had.addresses,
        },
        run.record,
      );
      if (!problems.length) return [{ ...p, contacts }];
      reject(
        run,
        p.row.n,
        problems.map((problem) => ({
          column: problem.field.startsWith('customAttributes.')
            ? (`cf.${problem.field.slice('customAttributes.'.length)}` as const)
            : (IMPORT_COLUMNS as readonly string[]).includes(problem.field)
              ? (problem.field as ImportColumn)
              : null,
          code: problem.code.replace(/^user\./, 'import.'),
          message: problem.message,
        })),
      );
      return [];
    });
  }

  /** The phones and addresses of the rows that give them: of the users just created (found by userCode) and changed. */
  async function writeContacts(planned: Planned[], created: ImportedUser[], trx: Executor) {
    if (!deps.contacts) return;
    const gives = (p: Planned) => p.contacts?.phoneNumbers !== undefined || p.contacts?.addresses !== undefined;
    const fresh = planned.filter((p) => !p.target && gives(p));
    const codes = new Map(
      planned.filter((p) => !p.target).map((p, i) => [p, defined(created[i], 'the created user').userCode]),
    );
    const ids = fresh.length
      ? await store.targets(
          'userCode',
          fresh.map((p) => defined(codes.get(p), 'a userCode').toLowerCase()),
          trx,
        )
      : new Map<string, ImportTarget[]>();
    await deps.contacts.replace(
      planned.filter(gives).map((p) => ({
        userId:
          p.target?.user.id ??
          defined(ids.get(defined(codes.get(p), 'a userCode').toLowerCase())?.[0], 'the created user').user.id,
        ...p.contacts,
      })),
      trx,
    );
  }

  /** Rows checked on their own, then their keys: new to the file, then found or not as the mode wants. */
  async function plan(run: ImportRun, batch: RawRow[], trx: Executor): Promise<Planned[]> {
    const { options, columns, seen } = run;
    const good: GoodRow[] = [];
    for (const raw of batch) {
      const checked = checkImportRow(raw.cells, columns, run.rules);
      const key = checked.ok
        ? checked.row.key
        : raw.cells[columns.indexOf(options.key)]?.trim().toLowerCase() || undefined;
      const repeated = key !== undefined && seen.keys.has(key);
      if (key !== undefined) seen.keys.add(key);
      if (!checked.ok) reject(run, raw.n, checked.problems);
      else if (repeated)
        reject(run, raw.n, [
          {
            column: options.key,
            code: 'import.duplicate_key',
            message: `${options.key} "${checked.row.values[options.key]}" is on an earlier row.`,
          },
        ]);
      else good.push({ n: raw.n, ...checked.row });
    }

    const targets = await store.targets(
      options.key,
      good.flatMap((r) => r.key ?? []),
      trx,
    );
    const planned: Planned[] = [];
    for (const row of good) {
      const match = matchImportRow(row, row.key === undefined ? [] : (targets.get(row.key) ?? []), run.rules);
      if (!match.ok) reject(run, row.n, [match.problem]);
      else planned.push(match.target ? { row, target: match.target } : { row });
    }
    return planned;
  }

  /** The identifier that is not the key (email or userCode), when a row sets it: free in the file and among other users. */
  async function freeIdentifiers(run: ImportRun, planned: Planned[], trx: Executor): Promise<Planned[]> {
    const { seen } = run;
    const other: ImportKey = run.options.key === 'email' ? 'userCode' : 'email';
    if (other === 'email' && deps.duplicateEmails()) return planned;
    const current = (u: User | undefined) => (other === 'email' ? u?.email : u?.userCode)?.toLowerCase();
    const wanted = planned.map((p) => {
      const value = p.row.values[other]?.toLowerCase();
      return value === undefined || value === current(p.target?.user) ? undefined : value;
    });
    const values = wanted.filter((v): v is string => v !== undefined);
    const holders = await store.holders(other === 'email' ? values : [], other === 'userCode' ? values : [], trx);
    const label = other === 'email' ? 'email' : 'user_code';
    return planned.filter((p, i) => {
      const value = wanted[i];
      if (value === undefined) return true;
      const earlier = seen[other].has(value);
      seen[other].add(value);
      const given = `${other} "${p.row.values[other]}"`;
      if (earlier)
        reject(run, p.row.n, [
          { column: other, code: `import.duplicate_${label}`, message: `The ${given} is on an earlier row.` },
        ]);
      else if (
        (holders[other === 'email' ? 'emails' : 'userCodes'].get(value) ?? []).some((id) => id !== p.target?.user.id)
      ) {
        reject(run, p.row.n, [
          { column: other, code: `import.${label}_taken`, message: `Another user has the ${given}.` },
        ]);
      } else return true;
      return false;
    });
  }

  /** Main accounts by id or name (cached for the whole file); a new name becomes a customer account. */
  async function withAccounts(run: ImportRun, planned: Planned[], trx: Executor): Promise<Planned[]> {
    const { accounts } = run;
    const references = [...new Set(planned.flatMap((p) => p.row.values.mainAccount ?? []))].filter(
      (a) => !accounts.has(a.toLowerCase()),
    );
    for (const [ref, id] of await store.resolveAccounts(references, run.audit, trx)) accounts.set(ref, id);
    return planned.filter(({ row }) => {
      if (row.values.mainAccount === undefined || accounts.has(row.values.mainAccount.toLowerCase())) return true;
      reject(run, row.n, [
        {
          column: 'mainAccount',
          code: 'import.account_not_found',
          message: `No account has the id ${row.values.mainAccount}.`,
        },
      ]);
      return false;
    });
  }

  /**
   * Rows that set licences: every key a licence type (else `import.licence_not_found`), and
   * a seat for each licence the user does not hold yet (else `import.no_seats`), in row
   * order. The types are locked for the import's transaction, so the seats counted stay true.
   */
  async function withLicences(run: ImportRun, planned: Planned[], trx: Executor): Promise<Planned[]> {
    const keys = [...new Set(planned.flatMap((p) => p.row.values.licences ?? []))];
    if (!keys.length) return planned;
    const types = await deps.licences.lockByKeys(keys, trx);
    const held = await deps.licences.keysOf(
      planned.flatMap((p) => (p.row.values.licences && p.target ? [p.target.user.id] : [])),
      trx,
    );
    const used = new Map([...types.values()].map((t) => [t.key, t.seatsUsed]));
    return planned.filter(({ row, target }) => {
      const wanted = row.values.licences;
      if (!wanted) return true;
      const unknown = wanted.filter((k) => !types.has(k));
      if (unknown.length) {
        reject(run, row.n, [
          { column: 'licences', code: 'import.licence_not_found', message: `No licence type "${unknown[0]}".` },
        ]);
        return false;
      }
      const before = new Set(target ? (held.get(target.user.id) ?? []) : []);
      const added = wanted.filter((k) => !before.has(k));
      const full = added.find((k) => {
        const seats = types.get(k)?.seats;
        return seats !== null && seats !== undefined && (used.get(k) ?? 0) >= seats;
      });
      if (full) {
        reject(run, row.n, [
          { column: 'licences', code: 'import.no_seats', message: `Every seat of the licence "${full}" is taken.` },
        ]);
        return false;
      }
      for (const k of added) used.set(k, (used.get(k) ?? 0) + 1);
      return true;
    });
  }

  /** The licences of the rows that set them, once their users are written; who lost the last one to sign in is signed out. */
  async function writeLicences(run: ImportRun, planned: Planned[], created: ImportedUser[], trx: Executor) {
    const rows = planned.filter((p) => p.row.values.licences);
    if (!rows.length) return;
    const types = await deps.licences.lockByKeys([...new Set(rows.flatMap((p) => p.row.values.licences ?? []))], trx);
    // A created user is found by the userCode it was created with (the same row order as `fresh`).
    const fresh = planned.filter((p) => !p.target);
    const codes = new Map(fresh.map((p, i) => [p, created[i]?.userCode.toLowerCase()]));
    const found = await store.targets(
      'userCode',
      rows.flatMap((p) => (p.target ? [] : (codes.get(p) ?? []))),
      trx,
    );
    const entries = rows.flatMap((p) => {
      const userId = p.target?.user.id ?? found.get(codes.get(p) ?? '')?.[0]?.user.id;
      const typeIds = (p.row.values.licences ?? []).flatMap((k) => types.get(k)?.id ?? []);
      return userId ? [{ userId, typeIds }] : [];
    });
    const lost = await deps.licences.replace(entries, run.audit, trx);
    run.signedOut.push(...(await deps.licences.signedInWithoutLicence(lost, trx)));
  }

  /** `count` userCodes nobody holds, set-based: draw them all, look them up at once, draw again for the few taken. */
  async function freeUserCodes(run: ImportRun, count: number, trx: Executor): Promise<string[]> {
    const { seen } = run;
    const free: string[] = [];
    while (free.length < count) {
      const drawn = [...new Set(Array.from({ length: count - free.length }, () => drawUserCode(randomInt)))].filter(
        (c) => !seen.userCode.has(c.toLowerCase()) && !seen.keys.has(c.toLowerCase()),
      );
      const taken = await store.takenUserCodes(drawn, trx);
      for (const code of drawn.filter((c) => !taken.has(c.toLowerCase()))) {
        seen.userCode.add(code.toLowerCase());
        seen.keys.add(code.toLowerCase());
        free.push(code);
      }
    }
    return free;
  }

  /** Progress and new errors to the job row, outside the import's transaction (when another connection can take them). */
  async function publish(run: ImportRun) {
    if (jobs.concurrent) {
      await jobs.progress(run.job.id, run.counts, run.unwritten, leaseEnd());
      run.unwritten = [];
    }
    run.onProgress?.({ ...run.counts, bytes: run.bytes });
  }

  /** The job as the rows' transaction finished it, or finished now: a failed import wrote no user. */
  async function finish(run: ImportRun, { finished, failure }: Outcome): Promise<ImportJob> {
    try {
      if (finished) return finished;
      // A job another instance ended stays as it says.
      const end: ImportEnd = failure
        ? { status: 'failed', error: failure.message, errorCode: failure.code }
        : { status: 'succeeded', error: null, errorCode: null };
      return (
        (await jobs.finish(
          run.job.id,
          failure ? { ...run.counts, created: 0, updated: 0 } : run.counts,
          run.unwritten,
          end,
        )) ?? defined(await jobs.find(run.job.id), 'the import job')
      );
    } finally {
      running.delete(run.job.id);
    }
  }

  return {
    /**
     * Reads the header (a bad one throws before any job exists), imports every
     * row, and resolves with the finished job (`failed` with an `error` when the
     * import stopped part-way).
     */
    async run(
      input: Readable,
      options: ImportOptions,
      by: Operator,
      onProgress?: (p: ImportProgress) => void,
    ): Promise<ImportJob> {
      const { records, stop } = readCsv(input);
      const rules: RecordRules = (await deps.record?.rules()) ?? { requiredFields: [], customFields: [] };
      const columns = await readHeader(
        records,
        options.key,
        rules.customFields.map((f) => f.key),
      ).catch((err) => {
        stop();
        throw err;
      });
      const job = await jobs.create({
        ...options,
        createdBy: by.actor.id ?? by.actor.name ?? by.actor.type,
        leaseUntil: leaseEnd(),
      });
      running.add(job.id);
      const run = startRun(job, options, by, columns, rules, onProgress);
      const endLease = keepLease(run);
      const outcome = await importRows(run, records).finally(() => {
        endLease();
        stop();
      });
      const finished = await finish(run, outcome);
      onProgress?.({ ...finished, bytes: run.bytes });
      if (!outcome.failure && !options.dryRun) {
        for (const id of run.signedOut)
          await deps.endSessions(id).catch((err) => deps.log.error({ err, userId: id }, 'import.end_sessions_failed'));
      }
      return finished;
    },

    interruptAbandoned: (options: { all?: boolean } = {}) => interruptAbandoned(options),

    /** The latest jobs, newest first (those whose process died: failed). */
    async list(): Promise<ImportJob[]> {
      await interruptAbandoned();
      return jobs.list(LISTED);
    },

    async get(id: string): Promise<ImportJob> {
      await interruptAbandoned({ only: id });
      const job = await jobs.find(id);
      assertThat(job, () => fail('import.job_not_found'));
      return job;
    },

    /** The job's row errors in row order, a page at a time (a row's errors are never split). */
    async *errors(jobId: string): AsyncGenerator<ImportRowError[]> {
      for (let after = 0; ; ) {
        const page = await jobs.errorsAfter(jobId, after, ERROR_PAGE);
        if (page.length < ERROR_PAGE) {
          if (page.length) yield page;
          return;
        }
        const last = defined(page.at(-1), 'the last error of a full page').row;
        yield page.filter((e) => e.row < last);
        after = last - 1;
      }
    },
  };
}
export type UserImportService = ReturnType<typeof createUserImportService>;

/** The file's CSV records; `stop` stops reading, the rest of the input (a file) left unread. */
function readCsv(input: Readable): { records: Records; stop: () => void } {
  // A record over 64 KiB is an unterminated quote swallowing the file, not a user.
  const parser = parse({ bom: true, relax_column_count: true, info: true, max_record_size: 64 * 1024 });
  input.once('error', (err) => parser.destroy(err));
  input.once('close', () => input.readableEnded || parser.destroy(fail('import.incomplete')));
  input.pipe(parser);
  const stop = () => {
    input.unpipe(parser);
    parser.destroy();
    input.destroy();
  };
  return { records: parser[Symbol.asyncIterator]() as Records, stop };
}

/** The header line as columns; whatever keeps it from being read is import.invalid_header. */
async function readHeader(records: Records, key: ImportKey, customKeys: readonly string[]): Promise<ImportColumn[]> {
  try {
    const first = await records.next();
    assertThat(!first.done, fail('import.invalid_header', { problem: 'empty' }));
    return importHeader(first.value.record, key, customKeys);
  } catch (err) {
    if (err instanceof AppError && err.code === 'import.invalid_header') throw err;
    throw fail('import.invalid_header', { problem: 'unreadable', cause: (err as Error).message });
  }
}

/** A job's import, before its first row. */
function startRun(
  job: ImportJob,
  options: ImportOptions,
  by: Operator,
  columns: ImportColumn[],
  record: RecordRules,
  onProgress?: (p: ImportProgress) => void,
): ImportRun {
  return {
    job,
    options,
    rules: {
      key: options.key,
      mode: options.mode,
      grantor: by.powers.role,
      customFields: record.customFields,
      self: [by.actor.id, by.actor.onBehalfOf].filter((id): id is string => Boolean(id)),
    },
    record,
    columns,
    audit: { actor: by.actor, ip: by.ip, jobId: job.id },
    counts: { total: 0, processed: 0, created: 0, updated: 0, failed: 0 },
    bytes: 0,
    unwritten: [],
    seen: { keys: new Set<string>(), email: new Set<string>(), userCode: new Set<string>() },
    accounts: new Map<string, string>(),
    signedOut: [],
    lost: false,
    onProgress,
  };
}

/** The data rows in batches of `size`, counted (`total`, `bytes`) as they are read. */
async function* batches(run: ImportRun, records: Records, size: number): AsyncGenerator<RawRow[]> {
  let batch: RawRow[] = [];
  let n = 0;
  for (let next = await records.next(); !next.done; next = await records.next()) {
    n++;
    run.bytes = next.value.info.bytes;
    // Blank lines keep their number (so rows match the spreadsheet's) but are not rows.
    if (next.value.record.every((cell) => !cell.trim())) continue;
    assertThat(++run.counts.total <= MAX_ROWS, () => fail('import.too_many_rows', { max: MAX_ROWS }));
    batch.push({ n, cells: next.value.record });
    if (batch.length < size) continue;
    yield batch;
    batch = [];
  }
  if (batch.length) yield batch;
}

/** A bad row: its problems are reported, it is skipped. */
function reject(run: ImportRun, n: number, problems: readonly Pick<RowProblem, 'column' | 'code' | 'message'>[]) {
  run.counts.failed++;
  for (const p of problems) run.unwritten.push({ row: n, column: p.column, code: p.code, message: p.message });
}

/** What a row changes on the user it matched; undefined when nothing. The key stays as stored. */
function changeOf(
  target: ImportTarget,
  row: GoodRow,
  accountId: string | undefined,
  key: ImportKey,
  contacts?: Partial<PhonesAndAddresses>,
): ImportedChange | undefined {
  const before = target.user;
  const v = row.values;
  const profile = Object.fromEntries(PROFILE_FIELDS.map((f) => [f, v[f] ?? before[f]])) as Profile;
  const email = key === 'email' ? before.email : (v.email ?? before.email);
  // As users.update: a changed email is not verified unless the row says it is.
  const sameEmail = email?.toLowerCase() === before.email?.toLowerCase();
  const after: ImportedChange['after'] = {
    userCode: key === 'userCode' ? before.userCode : (v.userCode ?? before.userCode),
    email,
    emailVerified: Boolean(email) && (v.emailVerified ?? (sameEmail && before.emailVerified)),
    status: v.status ?? before.status,
    mainRole: v.mainRole ?? before.mainRole,
    mainAccountId: accountId ?? before.mainAccountId ?? GUEST_ACCOUNT_ID,
    externalId: v.externalId ?? before.externalId,
    tags: v.tags ?? before.tags,
    expiresAt: v.expiresAt ?? before.expiresAt,
    customAttributes: v.custom ? { ...before.customAttributes, ...v.custom } : before.customAttributes,
    profile,
  };
  const fields: [string, unknown, unknown][] = [
    ['userCode', before.userCode, after.userCode],
    ['email', before.email, after.email],
    ['emailVerified', before.emailVerified, after.emailVerified],
    ['status', before.status, after.status],
    ['mainRole', before.mainRole, after.mainRole],
    ['mainAccountId', before.mainAccountId, after.mainAccountId],
    ['externalId', before.externalId, after.externalId],
    ['tags', before.tags, after.tags],
    ['expiresAt', before.expiresAt, after.expiresAt],
    ['customAttributes', before.customAttributes, after.customAttributes],
    ...(contacts?.phoneNumbers ? [['phoneNumbers', null, contacts.phoneNumbers] as [string, unknown, unknown]] : []),
    ...(contacts?.addresses ? [['addresses', null, contacts.addresses] as [string, unknown, unknown]] : []),
    ...PROFILE_FIELDS.map((f): [string, unknown, unknown] => [f, before[f], profile[f]]),
  ];
  const changes = Object.fromEntries(
    fields.filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b)).map(([f, a, b]) => [f, [a, b]]),
  ) as Record<string, [unknown, unknown]>;
  if (!Object.keys(changes).length) return undefined;
  return {
    id: before.id,
    after,
    statusChanged: 'status' in changes,
    roleFrom: 'mainRole' in changes ? before.mainRole : undefined,
    accountChanged: 'mainAccountId' in changes,
    emailChanged: 'email' in changes,
    changes,
  };
}

/** Why the import stopped, as its job says. */
function describe(err: unknown): { message: string; code: string } {
  if (err instanceof CsvError)
    return { code: 'import.invalid_csv', message: `The file is not valid CSV: ${err.message}. Nothing was written.` };
  if (err instanceof AppError && err.expose) return { code: err.code, message: `${err.message} Nothing was written.` };
  const { sqlstate } = databaseFault(err);
  const db = err as { detail?: string; message?: string };
  if (sqlstate) {
    return {
      code: 'import.database_error',
      message: `The database refused the import (${sqlstate}: ${db.detail ?? db.message}). Nothing was written.`,
    };
  }
  return { code: 'import.server_error', message: 'The import stopped on a server error. Nothing was written.' };
}
