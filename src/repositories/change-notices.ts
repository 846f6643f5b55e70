import { CHANGES_CHANNEL } from '../db/change-listener.js';
import type { Executor } from '../db/database.js';

/** What every instance keeps in memory and must hear about when another instance changes it. */
export const CHANGE_TOPICS = ['settings', 'client', 'resource_server', 'signing_keys', 'custom_fields'] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

/** A change: of one client or resource server (`key`), or of the whole topic (no key). */
export interface ChangeNotice {
  topic: ChangeTopic;
  key?: string;
}

/** PostgreSQL refuses a payload of 8000 bytes or more: a longer key is announced as a change of the whole topic. */
const LONGEST_PAYLOAD = 7000;

/** `topic` or `topic:key`. */
function payloadOf(notice: ChangeNotice): string {
  const payload = notice.key === undefined ? notice.topic : `${notice.topic}:${notice.key}`;
  return Buffer.byteLength(payload) < LONGEST_PAYLOAD ? payload : notice.topic;
}

/** The notice a payload stands for; undefined for one this version does not know. */
export function parseChangeNotice(payload: string): ChangeNotice | undefined {
  const colon = payload.indexOf(':');
  const topic = colon < 0 ? payload : payload.slice(0, colon);
  if (!CHANGE_TOPICS.includes(topic as ChangeTopic)) return undefined;
  return colon < 0 ? { topic: topic as ChangeTopic } : { topic: topic as ChangeTopic, key: payload.slice(colon + 1) };
}

/**
 * Runs `write`, then `pg_notify` in the same transaction (`executor`'s, or a new
 * one): every instance hears of the change once it has committed, and of nothing
 * when it rolls back.
 */
export async function announced<T>(
  executor: Executor,
  notice: ChangeNotice,
  write: (trx: Executor) => Promise<T>,
): Promise<T> {
  const run = async (trx: Executor) => {
    const result = await write(trx);
    await trx.raw('SELECT pg_notify(?, ?)', [CHANGES_CHANNEL, payloadOf(notice)]);
    return result;
  };
  return 'isTransaction' in executor && executor.isTransaction ? run(executor) : executor.transaction(run);
}
