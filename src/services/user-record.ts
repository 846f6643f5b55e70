import type { Executor } from '../db/database.js';
import type { RequirableField } from '../domain/user-record.js';
import { fail } from '../errors/codes.js';
import {
  canonicalRecord,
  checkUserRecord,
  parseCustomValue,
  type RecordRules,
  type UserRecord,
} from '../policies/user-record.js';
import type { CustomFieldsRepository } from '../repositories/custom-fields.js';
import type { CustomFieldCondition, UserFilter } from '../repositories/user-search.js';

/**
 * The rules of a user record in force (required fields setting, custom field
 * definitions) and their check, for every write path.
 */
export function createUserRecordService(deps: {
  fields: Pick<CustomFieldsRepository, 'list'>;
  requiredFields: () => readonly RequirableField[];
}) {
  async function rules(trx?: Executor): Promise<RecordRules> {
    return { requiredFields: deps.requiredFields(), customFields: await deps.fields.list(trx) };
  }
  return {
    rules,
    /** Throws the first problem of the record (400 `user.*` with `details.field`). */
    async assertValid(record: UserRecord, trx?: Executor, given?: RecordRules): Promise<void> {
      const [problem] = checkUserRecord(record, given ?? (await rules(trx)));
      if (problem) throw fail(problem.code, problem);
    },
    canonical: canonicalRecord,

    /**
     * The filter with its `cf.<key>` parameters typed by their fields: an unknown
     * key is 400 `user.unknown_custom_field`, a value the field cannot hold 400
     * `user.invalid_custom_field`; `.from`/`.to` only for number and date fields.
     */
    async resolveFilter(filter: UserFilter): Promise<UserFilter> {
      if (!filter.cf) return filter;
      const fields = await deps.fields.list();
      const conditions = new Map<string, CustomFieldCondition>();
      for (const [name, values] of Object.entries(filter.cf)) {
        const [key = '', bound] = name.split('.') as [string, 'from' | 'to' | undefined];
        const parameter = `cf.${name}`;
        const field = fields.find((f) => f.key.toLowerCase() === key.toLowerCase());
        if (!field || (bound && field.type !== 'number' && field.type !== 'date'))
          throw fail('user.unknown_custom_field', { parameter });
        const parsed = values.map((v) => {
          const p = parseCustomValue(field, v);
          if (!p.ok)
            throw fail('user.invalid_custom_field', {
              field: parameter,
              message: `${parameter} must be ${p.expected}.`,
            });
          return p.value;
        });
        const c = conditions.get(field.key) ?? {
          key: field.key,
          type: field.type === 'number' || field.type === 'date' ? field.type : 'other',
        };
        if (!bound) c.equals = [...(c.equals ?? []), ...parsed];
        else c[bound] = parsed.at(-1) as string | number;
        conditions.set(field.key, c);
      }
      return { ...filter, custom: [...conditions.values()] };
    },
  };
}
export type UserRecordService = ReturnType<typeof createUserRecordService>;
