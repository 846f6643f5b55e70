import type { Db, Executor } from '../db/database.js';
import { systemClock, type Clock } from '../util/clock.js';
import { announced, type ChangeNotice } from './change-notices.js';

/** The published set changed: every instance reloads its keys. */
const KEYS: ChangeNotice = { topic: 'signing_keys' };

export interface SigningKeyRow {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  privateJwkEncrypted: string;
  state: 'active' | 'retired';
  createdAt: Date;
}

/** A row of `signing_keys`, as the database returns it. */
interface SigningKeyColumns {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown>;
  private_jwk_encrypted: string;
  state: SigningKeyRow['state'];
  created_at: Date;
}

export function createSigningKeysRepository(db: Db, clock: Clock = systemClock) {
  const toRow = (r: SigningKeyColumns): SigningKeyRow => ({
    kid: r.kid,
    alg: r.alg,
    publicJwk: r.public_jwk,
    privateJwkEncrypted: r.private_jwk_encrypted,
    state: r.state,
    createdAt: r.created_at,
  });
  return {
    /** Active keys first (newest first), then retired keys still published. */
    async published(now = clock.now(), trx: Executor = db): Promise<SigningKeyRow[]> {
      const rows = await trx('signing_keys')
        .where('state', 'active')
        .orWhere((w) => w.where('state', 'retired').where('publish_until', '>', now))
        .orderByRaw("state = 'active' DESC, created_at DESC");
      return rows.map(toRow);
    },
    async insert(key: Omit<SigningKeyRow, 'state' | 'createdAt'>, trx: Executor = db): Promise<void> {
      await announced(trx, KEYS, (t) =>
        t('signing_keys').insert({
          kid: key.kid,
          alg: key.alg,
          public_jwk: JSON.stringify(key.publicJwk),
          private_jwk_encrypted: key.privateJwkEncrypted,
        }),
      );
    },
    /** Retires the active keys of `alg`; they stay published until `publishUntil`. */
    async retireActive(alg: string, publishUntil: Date, trx: Executor = db): Promise<string[]> {
      const rows = await announced(trx, KEYS, (t) =>
        t('signing_keys')
          .where({ alg, state: 'active' })
          .update({ state: 'retired', retired_at: t.fn.now(), publish_until: publishUntil })
          .returning('kid'),
      );
      return rows.map((r) => r.kid);
    },
    /** A fingerprint of the published set, so running instances notice a rotation. */
    async fingerprint(trx: Executor = db): Promise<string> {
      const row = await trx('signing_keys')
        .select(trx.raw("string_agg(kid || ':' || state, ',' ORDER BY kid) AS f"))
        .first();
      return row?.f ?? '';
    },
  };
}
export type SigningKeysRepository = ReturnType<typeof createSigningKeysRepository>;
