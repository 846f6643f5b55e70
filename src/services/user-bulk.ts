import type { Logger } from 'pino';
import type { Operator } from '../domain/operator.js';
import { AppError, assertThat } from '../errors/app-error.js';
import { errorMessage, fail } from '../errors/codes.js';
import { mayDo } from '../policies/permissions.js';
import type { BulkCounts, BulkJob, BulkJobsRepository, BulkResult } from '../repositories/bulk-jobs.js';
import type { UserFilter, UserSearch } from '../repositories/user-search.js';
import type { Clock } from '../util/clock.js';
import { defined } from '../util/defined.js';
import { isActor } from './admin-auth.js';
import type { AuditService } from './audit.js';
import type { BulkAction } from './bulk-actions.js';

/** Whom a bulk action acts on: listed users, or every user a list filter matches (in the caller's scope). */
export type BulkTarget = { ids: string[] } | { filter: UserFilter };

export interface BulkRequest {
  action: string;
  input: unknown;
  target: BulkTarget;
  /** How many users the caller expects: another number is 409 `bulk.count_changed`, nothing done. */
  expectedCount?: number;
}

/** A bulk action done while the request waited: each user's outcome, in the order taken. */
export interface BulkOutcome extends BulkCounts {
  action: string;
  results: BulkResult[];
}

/** Users done between two writes of a job's progress. */
const CHUNK = 250;
const JOBS_LISTED = 50;

/**
 * Bulk actions (issue 13 §6) on listed users or on every user a list filter
 * matches. Each user is changed on their own, through the action's service (the
 * one single-user calls use): one refused (out of reach, above the caller, the
 * caller themself: `user.self_change`, a rule of the service) is reported with its
 * error code and the others go on. Up to `syncLimit` users are done while the
 * request waits; more run as a job in this process (`concurrency` users at once
 * on PostgreSQL, one at a time on embedded PGlite), whose counters and per-user
 * results are written as it goes and whose lease its process renews (a job whose
 * lease ran out is failed, `bulk.interrupted`, as imports are). Every change is
 * audited by its service; the bulk action itself is one more event,
 * `user.bulk_action`, with its counts.
 */
export function createUserBulkService(deps: {
  actions: readonly BulkAction[];
  search: UserSearch;
  /** Custom-field filters (`cf`) typed by their fields, as the users list resolves them. */
  resolveFilter: (filter: UserFilter) => Promise<UserFilter>;
  jobs: BulkJobsRepository;
  audit: AuditService;
  log: Logger;
  clock: Clock;
  syncLimit: number;
  concurrency: number;
  leaseSeconds: number;
}) {
  const { jobs, clock } = deps;
  const byName = new Map(deps.actions.map((a) => [a.name, a]));
  const concurrency = jobs.concurrent ? Math.max(1, deps.concurrency) : 1;
  /** The jobs this process is running: alive whatever their lease says. */
  const running = new Set<string>();
  const leaseEnd = () => new Date(clock.now().getTime() + deps.leaseSeconds * 1000);

  /** One user: done, or refused with an error code. */
  async function one(action: BulkAction, input: unknown, userId: string, by: Operator): Promise<BulkResult> {
    if (isActor(userId, by))
      return { userId, errorCode: 'user.self_change', message: errorMessage('user.self_change') };
    try {
      await action.run(userId, input, by);
      return { userId, errorCode: null, message: null };
    } catch (err) {
      if (err instanceof AppError && err.expose) return { userId, errorCode: err.code, message: err.message };
      deps.log.error({ err, userId, action: action.name }, 'bulk.user_failed');
      return { userId, errorCode: 'server.error', message: 'The server could not complete this change.' };
    }
  }

  /**
   * The users of one chunk: set-based in one transaction when the action can (and the
   * operator reaches everyone), else one by one, `concurrency` at a time; results in
   * the order of `ids`, the caller's own id always `user.self_change`.
   */
  async function chunk(action: BulkAction, input: unknown, ids: readonly string[], by: Operator) {
    if (action.many && by.powers.scope.all) {
      const others = ids.filter((id) => !isActor(id, by));
      const done = new Map((await action.many(others, input, by)).map((r) => [r.userId, r]));
      return ids.map(
        (id): BulkResult =>
          done.get(id) ?? { userId: id, errorCode: 'user.self_change', message: errorMessage('user.self_change') },
      );
    }
    return oneByOne(action, input, ids, by);
  }

  async function oneByOne(action: BulkAction, input: unknown, ids: readonly string[], by: Operator) {
    const results: BulkResult[] = new Array(ids.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < ids.length; i = next++) {
        const id = defined(ids[i], 'a user id');
        results[i] = await one(action, input, id, by);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
    return results;
  }

  const count = (counts: BulkCounts, results: readonly BulkResult[]) => {
    counts.processed += results.length;
    for (const r of results) {
      if (r.errorCode) counts.failed++;
      else counts.succeeded++;
    }
  };

  async function recordBulk(request: BulkRequest, counts: BulkCounts, by: Operator, jobId?: string) {
    await deps.audit.by(by).record({
      action: 'user.bulk_action',
      targetType: 'bulk',
      targetId: jobId ?? null,
      details: {
        bulkAction: request.action,
        input: request.input,
        ...('filter' in request.target ? { filter: request.target.filter } : { ids: request.target.ids.length }),
        total: counts.total,
        succeeded: counts.succeeded,
        failed: counts.failed,
        ...(jobId ? { jobId } : {}),
      },
    });
  }

  /** The job's users, a chunk at a time, its progress written after each; then its end and the bulk event. */
  async function runJob(job: BulkJob, action: BulkAction, request: BulkRequest, ids: string[], by: Operator) {
    running.add(job.id);
    const counts: BulkCounts = { total: ids.length, processed: 0, succeeded: 0, failed: 0 };
    let end: { status: 'succeeded' | 'failed'; error: string | null; errorCode: string | null } = {
      status: 'succeeded',
      error: null,
      errorCode: null,
    };
    try {
      for (let at = 0; at < ids.length; at += CHUNK) {
        const results = await chunk(action, request.input, ids.slice(at, at + CHUNK), by);
        count(counts, results);
        const alive = await jobs.progress(job.id, at + 1, results, counts, leaseEnd());
        if (!alive) {
          deps.log.warn({ bulkJobId: job.id }, 'bulk.lost');
          return;
        }
      }
    } catch (err) {
      deps.log.error({ err, bulkJobId: job.id }, 'bulk.failed');
      end = { status: 'failed', error: 'The bulk action stopped on a server error.', errorCode: 'server.error' };
    } finally {
      running.delete(job.id);
    }
    await jobs.finish(job.id, counts, end);
    await recordBulk(request, counts, by, job.id);
  }

  const readable = (job: BulkJob, by: Operator) =>
    mayDo(by.powers, 'users.bulk') || (job.createdBy !== null && job.createdBy === by.actor.id);

  async function interruptAbandoned(options: { all?: boolean } = {}): Promise<number> {
    const ended = await jobs.interruptExpired(clock.now(), { ...options, except: [...running] });
    if (ended) deps.log.warn({ jobs: ended }, 'bulk.interrupted');
    return ended;
  }

  return {
    actions: deps.actions,

    /**
     * Runs the action on the target: done at once (`outcome`) up to `syncLimit` users,
     * else started as a job (`job`). Refused before any change: an action the caller
     * may not take (403), its input (400, the action's check), a count that is not
     * the expected one (409 `bulk.count_changed`).
     */
    async run(request: BulkRequest, by: Operator): Promise<{ outcome: BulkOutcome } | { job: BulkJob }> {
      const action = byName.get(request.action);
      assertThat(action, () => fail('admin_api.not_found', { method: 'POST', path: `bulk action ${request.action}` }));
      assertThat(
        mayDo(by.powers, action.permission),
        fail('admin_api.forbidden', { role: by.powers.role, permission: action.permission }),
      );
      const parsed = action.input.safeParse(request.input ?? {});
      assertThat(parsed.success, () =>
        fail('request.invalid_body', {
          issues: (parsed.error?.issues ?? []).map((i) => ({
            path: ['input', ...i.path].join('.'),
            message: i.message,
          })),
        }),
      );
      const input = parsed.data;
      action.check?.(input, by);
      const ids =
        'ids' in request.target
          ? [...new Set(request.target.ids.map((id) => id.toLowerCase()))]
          : await deps.search.matchingIds(await deps.resolveFilter(request.target.filter), by.powers.scope);
      if (request.expectedCount !== undefined)
        assertThat(
          ids.length === request.expectedCount,
          fail('bulk.count_changed', { expected: request.expectedCount, actual: ids.length }),
        );
      const checked = { ...request, input };
      if (ids.length <= deps.syncLimit) {
        const counts: BulkCounts = { total: ids.length, processed: 0, succeeded: 0, failed: 0 };
        const results: BulkResult[] = [];
        for (let at = 0; at < ids.length; at += CHUNK) {
          const done = await chunk(action, input, ids.slice(at, at + CHUNK), by);
          count(counts, done);
          results.push(...done);
        }
        await recordBulk(checked, counts, by);
        return { outcome: { action: action.name, ...counts, results } };
      }
      const job = await jobs.create({
        action: action.name,
        input: input as Record<string, unknown>,
        total: ids.length,
        createdBy: by.actor.id ?? null,
        leaseUntil: leaseEnd(),
      });
      void runJob(job, action, checked, ids, by).catch((err) =>
        deps.log.error({ err, bulkJobId: job.id }, 'bulk.finish_failed'),
      );
      return { job };
    },

    /**
     * A job and its counters (a job whose lease ran out is failed first). Its creator
     * reads it, and whoever may bulk edit (admin): a manager sees only their own jobs.
     */
    async get(id: string, by: Operator): Promise<BulkJob> {
      await interruptAbandoned();
      const job = await jobs.find(id);
      assertThat(job && readable(job, by), () => fail('bulk.job_not_found'));
      return job;
    },

    async list(by: Operator): Promise<BulkJob[]> {
      await interruptAbandoned();
      return (await jobs.list(JOBS_LISTED)).filter((j) => readable(j, by));
    },

    /** A page of a job's per-user results after `afterSeq` (1 = the first user taken). */
    async results(id: string, input: { afterSeq: number; limit: number; failedOnly: boolean }, by: Operator) {
      const job = await this.get(id, by);
      const rows = await jobs.resultsAfter(job.id, input.afterSeq, input.limit + 1, input.failedOnly);
      return { job, results: rows.slice(0, input.limit), more: rows.length > input.limit };
    },

    interruptAbandoned,
  };
}
export type UserBulkService = ReturnType<typeof createUserBulkService>;
