import { randomBytes } from 'node:crypto';
import type { User } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { MfaFactorsRepository } from '../repositories/mfa-factors.js';
import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import type { UserAnonymiseRepository } from '../repositories/user-anonymise.js';
import type { UsersRepository } from '../repositories/users.js';
import type { Operator } from '../domain/operator.js';
import { isActor } from './admin-auth.js';
import type { AuditService } from './audit.js';
import type { Transact } from '../db/database.js';
import type { UserReachService } from './user-reach.js';
import { defined } from '../util/defined.js';

/** A userCode that names nobody: `anon-` and 16 random hex digits. */
export const anonymousUserCode = () => `anon-${randomBytes(8).toString('hex')}`;

/**
 * Anonymises a user (SPEC "Administration"; GDPR erasure without deleting the
 * record, so what refers to it stays whole). Cannot be undone. Errors:
 *   400 anonymise.self            the caller's own user
 *   404 user.not_found            missing or out of the caller's scope (a deleted user may be anonymised)
 *   403 admin_api.forbidden_target  the user is above the caller
 *   409 user.already_anonymised
 */
export function createUserAnonymiseService(deps: {
  transact: Transact;
  users: UsersRepository;
  erasure: UserAnonymiseRepository;
  mfaFactors: MfaFactorsRepository;
  payloads: OidcPayloadsRepository;
  audit: AuditService;
  reach: UserReachService;
}) {
  return {
    /**
     * One transaction: personal data erased, second factors removed, sessions and
     * tokens ended, status `inactive` (unless inactive or deleted already). The
     * one audit event kept names the user by id only and holds no personal data.
     */
    async anonymise(id: string, by: Operator): Promise<User> {
      assertThat(!isActor(id, by), fail('anonymise.self'));
      return deps.transact(async (trx) => {
        await deps.reach(id, by, { change: true, lock: true, includeDeleted: true }, trx);
        assertThat(!(await deps.erasure.anonymisedAt(id, trx)), fail('user.already_anonymised'));
        const erased = await deps.erasure.erase(id, anonymousUserCode(), trx);
        const factors = await deps.mfaFactors.removeAll(id, trx);
        await deps.payloads.revokeAccount(id, trx);
        await deps.audit.by(by).record(
          {
            action: 'user.anonymised',
            targetType: 'user',
            targetId: id,
            ...(erased.status.before !== erased.status.after
              ? { changes: { status: [erased.status.before, erased.status.after] } }
              : {}),
            details: {
              auditEventsRemoved: erased.auditEventsRemoved,
              mailsBlanked: erased.mailsBlanked,
              factorsRemoved: factors,
            },
          },
          trx,
        );
        return defined(await deps.users.findById(id, trx), 'the user');
      });
    },
  };
}
export type UserAnonymiseService = ReturnType<typeof createUserAnonymiseService>;
