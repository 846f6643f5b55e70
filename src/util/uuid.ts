const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID: checked before a uuid column is compared, which would throw on anything else. */
export const isUuid = (value: string): boolean => UUID.test(value);
