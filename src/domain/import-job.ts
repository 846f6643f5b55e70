/** The column that finds existing users in a users CSV import. */
export const IMPORT_KEYS = ['email', 'userCode'] as const;
export type ImportKey = (typeof IMPORT_KEYS)[number];
/** add: only new users; update: only existing users; upsert: either. */
export const IMPORT_MODES = ['add', 'update', 'upsert'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
