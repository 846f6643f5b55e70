import type { Executor, Transact } from '../db/database.js';
import type { CustomField } from '../domain/custom-field.js';
import type { Operator } from '../domain/operator.js';
import { PROFILE_FIELDS } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { CustomFieldsRepository, CustomFieldValues } from '../repositories/custom-fields.js';
import type { AuditService } from './audit.js';

/**
 * Keys a custom field may not take (case-insensitively): the user record's own
 * fields and columns, and the claims tokens carry already.
 */
const RESERVED = new Set(
  [
    ...PROFILE_FIELDS,
    ...['id', 'userCode', 'email', 'externalId', 'status', 'mainRole', 'mainAccount', 'mainAccountId', 'tags'],
    ...['directManagerId', 'customAttributes', 'phoneNumbers', 'addresses', 'lastSignInAt', 'createdAt', 'version'],
    ...['sub', 'name', 'given_name', 'middle_name', 'family_name', 'preferred_username', 'nickname', 'profile'],
    ...['picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'updated_at', 'email_verified', 'phone_number'],
    ...['address', 'roles', 'main_role', 'main_account_id', 'role_assignments', 'licences', 'act', 'acr', 'amr'],
    ...['auth_time', 'aud', 'iss', 'exp', 'iat', 'nbf', 'jti', 'azp', 'sid', 'nonce', 'scope', 'client_id'],
  ].map((k) => k.toLowerCase()),
);

export type NewCustomField = { key: string } & Omit<CustomFieldValues, 'position'> & { position?: number };

function assertOptions(type: CustomField['type'], options: readonly string[]) {
  const ok = type === 'option' ? options.length > 0 && new Set(options).size === options.length : !options.length;
  assertThat(ok, fail('custom_field.invalid_options'));
}

/** A super admin's custom field definitions: created, changed and removed with their audit events. */
export function createCustomFieldsService(deps: {
  transact: Transact;
  fields: CustomFieldsRepository;
  audit: AuditService;
}) {
  const { fields, audit } = deps;
  const listeners: (() => Promise<unknown>)[] = [];
  /** After a committed change: the OIDC provider rebuilds its claims (reloadable-provider.ts) before the answer. */
  const changed = async <T>(result: T): Promise<T> => {
    for (const listener of listeners) await listener();
    return result;
  };

  async function found(key: string, trx?: Executor): Promise<CustomField> {
    const field = await fields.find(key, trx);
    assertThat(field, () => fail('custom_field.not_found'));
    return field;
  }

  return {
    /** Calls `listener` after each committed change of a definition. */
    onChange(listener: () => Promise<unknown>) {
      listeners.push(listener);
    },
    list: () => fields.list(),
    get: (key: string) => found(key),

    async create(input: NewCustomField, by: Operator): Promise<CustomField> {
      assertThat(!RESERVED.has(input.key.toLowerCase()), fail('custom_field.reserved_key', { key: input.key }));
      assertOptions(input.type, input.options);
      return changed(
        await deps.transact(async (trx) => {
          await fields.lock(trx);
          const taken = await fields.find(input.key, trx);
          assertThat(!taken, () => fail('custom_field.exists', { key: taken?.key ?? input.key }));
          const position =
            input.position ?? (await fields.list(trx)).reduce((max, f) => Math.max(max, f.position + 1), 0);
          const field = await fields.create({ ...input, position }, trx);
          const { createdAt: _, updatedAt: __, ...shown } = field;
          await audit.by(by).record(
            {
              action: 'custom_field.created',
              targetType: 'custom_field',
              targetId: field.key,
              changes: Object.fromEntries(Object.entries(shown).map(([k, v]) => [k, [null, v]])),
            },
            trx,
          );
          return field;
        }),
      );
    },

    /** Changes label, options, required, claim or position; the type stays (values were checked against it). */
    async update(key: string, changes: Partial<Omit<CustomFieldValues, 'type'>>, by: Operator): Promise<CustomField> {
      return changed(
        await deps.transact(async (trx) => {
          await fields.lock(trx);
          const before = await found(key, trx);
          if (changes.options) assertOptions(before.type, changes.options);
          const after = await fields.update(before.key, changes, trx);
          assertThat(after, () => fail('custom_field.not_found'));
          const diff = (['label', 'options', 'required', 'claim', 'position'] as const)
            .filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]))
            .map((f) => [f, [before[f], after[f]]]);
          if (diff.length)
            await audit.by(by).record(
              {
                action: 'custom_field.updated',
                targetType: 'custom_field',
                targetId: before.key,
                changes: Object.fromEntries(diff),
              },
              trx,
            );
          return after;
        }),
      );
    },

    /** Removes the definition and every user's value of it. */
    async remove(key: string, by: Operator): Promise<void> {
      await deps.transact(async (trx) => {
        await fields.lock(trx);
        const before = await found(key, trx);
        const holders = await fields.usage(before.key, trx);
        await fields.remove(before.key, trx);
        await audit.by(by).record(
          {
            action: 'custom_field.deleted',
            targetType: 'custom_field',
            targetId: before.key,
            details: { label: before.label, type: before.type, valuesRemoved: holders },
          },
          trx,
        );
      });
      await changed(undefined);
    },
  };
}
export type CustomFieldsService = ReturnType<typeof createCustomFieldsService>;
