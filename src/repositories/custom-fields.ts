import { type Db, type Executor, toCount } from '../db/database.js';
import type { CustomField, CustomFieldType } from '../domain/custom-field.js';
import { announced, type ChangeNotice } from './change-notices.js';

/** A definition changed: every instance's provider reads the claim keys again. */
const CLAIMS: ChangeNotice = { topic: 'custom_fields' };

interface CustomFieldRow {
  key: string;
  label: string;
  type: CustomFieldType;
  options: string[];
  required: boolean;
  claim: boolean;
  position: number;
  created_at: Date;
  updated_at: Date;
}

const toField = (r: CustomFieldRow): CustomField => ({
  key: r.key,
  label: r.label,
  type: r.type,
  options: r.options ?? [],
  required: r.required,
  claim: r.claim,
  position: r.position,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** What a definition holds besides its key and times. */
export type CustomFieldValues = Pick<CustomField, 'label' | 'type' | 'options' | 'required' | 'claim' | 'position'>;

const columns = (v: Partial<CustomFieldValues>) =>
  Object.fromEntries(
    Object.entries(v)
      .filter(([, value]) => value !== undefined)
      .map(([k, value]) => [k, k === 'options' ? JSON.stringify(value) : value]),
  );

/** The custom field definitions (`custom_fields`), ordered by position then key. */
export function createCustomFieldsRepository(db: Db) {
  return {
    async list(trx: Executor = db): Promise<CustomField[]> {
      return (
        await trx('custom_fields')
          .select('*')
          .orderBy([{ column: 'position' }, { column: 'key' }])
      ).map(toField);
    },

    /** By key, case-insensitively (keys differ in more than case). */
    async find(key: string, trx: Executor = db): Promise<CustomField | undefined> {
      const row = await trx('custom_fields').select('*').whereRaw('lower(key) = lower(?)', [key]).first();
      return row && toField(row);
    },

    /** Inserts (a key taken in any case violates a unique index: check with `find` under `lock` first). */
    async create(field: { key: string } & CustomFieldValues, trx: Executor): Promise<CustomField> {
      const [row] = await announced(trx, CLAIMS, (t) =>
        t('custom_fields')
          .insert({ key: field.key, ...columns(field) })
          .returning('*'),
      );
      return toField(row);
    },

    /** One writer of definitions at a time, for the rest of the transaction. */
    async lock(trx: Executor): Promise<void> {
      await trx.raw("SELECT pg_advisory_xact_lock(hashtext('gatehouse.custom_fields'))");
    },

    async update(key: string, changes: Partial<CustomFieldValues>, trx: Executor): Promise<CustomField | undefined> {
      const [row] = await announced(trx, CLAIMS, (t) =>
        t('custom_fields')
          .where({ key })
          .update({ ...columns(changes), updated_at: t.fn.now() })
          .returning('*'),
      );
      return row && toField(row);
    },

    /** Removes the definition and every user's value of it. */
    async remove(key: string, trx: Executor): Promise<boolean> {
      const removed = (await announced(trx, CLAIMS, (t) => t('custom_fields').where({ key }).delete())) > 0;
      if (removed)
        await trx.raw('UPDATE users SET custom_attributes = custom_attributes - ? WHERE custom_attributes \\? ?', [
          key,
          key,
        ]);
      return removed;
    },

    /** How many users hold a value of the field. */
    async usage(key: string, trx: Executor = db): Promise<number> {
      return toCount(await trx('users').count('* as count').whereRaw('custom_attributes \\? ?', [key]).first());
    },
  };
}
export type CustomFieldsRepository = ReturnType<typeof createCustomFieldsRepository>;
