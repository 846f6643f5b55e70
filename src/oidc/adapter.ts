import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { ClientsRepository } from '../repositories/clients.js';
import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';

/**
 * oidc-provider's storage contract on PostgreSQL. Every model lives in
 * `oidc_payloads` keyed by (kind, id); `Client` reads the `oidc_clients` table,
 * which the CLI and admin API write (the provider never registers clients).
 */
export function createAdapterClass(payloads: OidcPayloadsRepository, clients: ClientsRepository) {
  return class PostgresAdapter implements Adapter {
    constructor(readonly kind: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.kind === 'Client') throw new Error('clients are managed through the CLI and the admin API');
      await payloads.upsert(this.kind, id, payload as Record<string, unknown>, expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.kind === 'Client') return (await clients.findForProvider(id)) as AdapterPayload | undefined;
      return (await payloads.find(this.kind, id)) as AdapterPayload | undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await payloads.findByUserCode(this.kind, userCode)) as AdapterPayload | undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await payloads.findByUid(this.kind, uid)) as AdapterPayload | undefined;
    }

    async consume(id: string): Promise<void> {
      await payloads.consume(this.kind, id);
    }

    async destroy(id: string): Promise<void> {
      await payloads.destroy(this.kind, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await payloads.revokeByGrantId(grantId);
    }
  };
}
