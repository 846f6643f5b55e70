import type { Db, Executor } from '../db/database.js';
import { isUuid } from '../util/uuid.js';

/** A registered WebAuthn authenticator (passkey or security key), as stored. */
export interface WebAuthnCredential {
  /** Our id (uuid): what pages and audit entries name. */
  id: string;
  userId: string;
  /** The authenticator's credential id, base64url. */
  credentialId: string;
  /** COSE public key. */
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  name: string;
  aaguid: string | null;
  deviceType: string | null;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type NewWebAuthnCredential = Omit<WebAuthnCredential, 'id' | 'publicKey' | 'createdAt' | 'lastUsedAt'> & {
  publicKey: Uint8Array;
};

const COLUMNS = [
  'id',
  'user_id',
  'credential_id',
  'public_key',
  'counter',
  'transports',
  'name',
  'aaguid',
  'device_type',
  'backed_up',
  'created_at',
  'last_used_at',
];

/** A row of `webauthn_credentials`; `counter` is a bigint, read as a string. */
interface WebAuthnCredentialRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: string | number;
  transports: string[] | null;
  name: string;
  aaguid: string | null;
  device_type: string | null;
  backed_up: boolean;
  created_at: Date;
  last_used_at: Date | null;
}

const toCredential = (r: WebAuthnCredentialRow): WebAuthnCredential => ({
  id: r.id,
  userId: r.user_id,
  credentialId: r.credential_id,
  publicKey: Uint8Array.from(r.public_key as Uint8Array),
  counter: Number(r.counter),
  transports: r.transports ?? [],
  name: r.name,
  aaguid: r.aaguid,
  deviceType: r.device_type,
  backedUp: r.backed_up,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

/** WebAuthn credentials. A use is recorded by one compare-and-set on the signature counter. */
export function createWebAuthnCredentialsRepository(db: Db) {
  return {
    async listByUser(userId: string, trx: Executor = db): Promise<WebAuthnCredential[]> {
      if (!isUuid(userId)) return [];
      return (
        await trx('webauthn_credentials')
          .select(COLUMNS)
          .where('user_id', userId)
          .orderBy([{ column: 'created_at' }, { column: 'id' }])
      ).map(toCredential);
    },

    async countByUser(userId: string, trx: Executor = db): Promise<number> {
      if (!isUuid(userId)) return 0;
      const row = await trx('webauthn_credentials').count('* as count').where('user_id', userId).first();
      return Number(row?.count ?? 0);
    },

    async findByCredentialId(credentialId: string, trx: Executor = db): Promise<WebAuthnCredential | undefined> {
      const row = await trx('webauthn_credentials').select(COLUMNS).where('credential_id', credentialId).first();
      return row && toCredential(row);
    },

    /** One of the user's credentials by our id; `lock` holds the row until the transaction ends. */
    async findForUser(
      userId: string,
      id: string,
      trx: Executor = db,
      options: { lock?: boolean } = {},
    ): Promise<WebAuthnCredential | undefined> {
      if (!isUuid(userId) || !isUuid(id)) return undefined;
      const q = trx('webauthn_credentials').select(COLUMNS).where({ id, user_id: userId });
      if (options.lock) q.forNoKeyUpdate();
      const row = await q.first();
      return row && toCredential(row);
    },

    /** Undefined when the credential id is registered already (to anyone). */
    async insert(input: NewWebAuthnCredential, trx: Executor = db): Promise<WebAuthnCredential | undefined> {
      const [row] = await trx('webauthn_credentials')
        .insert({
          user_id: input.userId,
          credential_id: input.credentialId,
          public_key: Buffer.from(input.publicKey),
          counter: input.counter,
          transports: input.transports,
          name: input.name,
          aaguid: input.aaguid,
          device_type: input.deviceType,
          backed_up: input.backedUp,
        })
        .onConflict('credential_id')
        .ignore()
        .returning(COLUMNS);
      return row && toCredential(row);
    },

    /**
     * Records a successful assertion: the new counter, the backup state and the
     * time, only while the counter is still `expectedCounter`. False when another
     * use got there first (a replayed or cloned authenticator loses the race).
     */
    async recordUse(
      id: string,
      expectedCounter: number,
      use: { counter: number; backedUp: boolean; at: Date },
      trx: Executor = db,
    ): Promise<boolean> {
      const rows = await trx('webauthn_credentials')
        .where({ id, counter: expectedCounter })
        .update({ counter: use.counter, backed_up: use.backedUp, last_used_at: use.at })
        .returning('id');
      return rows.length === 1;
    },

    async rename(
      userId: string,
      id: string,
      name: string,
      trx: Executor = db,
    ): Promise<WebAuthnCredential | undefined> {
      if (!isUuid(userId) || !isUuid(id)) return undefined;
      const [row] = await trx('webauthn_credentials')
        .where({ id, user_id: userId })
        .update({ name })
        .returning(COLUMNS);
      return row && toCredential(row);
    },

    async remove(userId: string, id: string, trx: Executor = db): Promise<WebAuthnCredential | undefined> {
      if (!isUuid(userId) || !isUuid(id)) return undefined;
      const [row] = await trx('webauthn_credentials').where({ id, user_id: userId }).delete().returning(COLUMNS);
      return row && toCredential(row);
    },
  };
}
export type WebAuthnCredentialsRepository = ReturnType<typeof createWebAuthnCredentialsRepository>;
