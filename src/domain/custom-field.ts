/** The kinds of value a custom field holds. */
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'option'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/**
 * A field a super admin adds to every user record (`/admin/api/custom-fields`).
 * A user's value is `User.customAttributes[key]`: a string (text, option, date
 * as `YYYY-MM-DD`), a number or a boolean.
 */
export interface CustomField {
  /** Letters, digits and `_`, starting with a letter: the attribute, export column, SCIM attribute and claim name. */
  key: string;
  label: string;
  type: CustomFieldType;
  /** The values an `option` field allows, in order; empty for other types. */
  options: string[];
  /** Every write path refuses a user without a value. */
  required: boolean;
  /** Shown in ID tokens and userinfo under the `profile` scope, named `key`. */
  claim: boolean;
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What a key may look like (and not collide with a standard claim or column: see RESERVED_CUSTOM_KEYS). */
export const CUSTOM_FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** The Gatehouse SCIM extension whose attributes are the custom fields, by key. */
export const CUSTOM_FIELDS_SCIM_SCHEMA = 'urn:gatehouse:params:scim:schemas:extension:custom:2.0:User';
