/**
 * A JSON body as a test or bench reads it: the assertions are what check its
 * shape, so its fields are not declared one by one.
 */
// biome-ignore lint/suspicious/noExplicitAny: read by assertions, which check its shape
export type Json = any;
