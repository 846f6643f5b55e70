import test from 'ava';
import { AppError } from '../../src/errors/app-error.js';
import {
  ERRORS,
  errorMessage,
  fail,
  failOnPage,
  pageText,
  type ErrorCode,
  type ErrorParams,
} from '../../src/errors/codes.js';
import { RetryLater } from '../../src/errors/retry-later.js';

const CODES = Object.keys(ERRORS) as ErrorCode[];

type ParamCode = { [C in ErrorCode]: (typeof ERRORS)[C]['message'] extends string ? never : C }[ErrorCode];

/** One set of parameters for every code whose message names values (the type makes the table complete). */
const SAMPLES: { [C in ParamCode]: ErrorParams<C> } = {
  'request.too_large': { limitBytes: 10 * 2 ** 20 },
  'request.unsupported_media_type': { expected: 'json' },
  'request.invalid_body': { issues: [{ path: 'name', message: 'Required' }] },
  'request.invalid_query': { issues: [{ path: '', message: 'Bad' }] },
  'request.invalid_characters': { where: 'The body' },
  'request.invalid_cursor': { sorted: true },
  'request.unknown_parameter': { name: 'tagg', known: ['tag'] },
  'bulk.count_changed': { expected: 3, actual: 4 },
  'rate_limit.exceeded': { retryAfterSeconds: 90 },
  'admin_api.not_found': { method: 'GET', path: '/x' },
  'admin_api.method_not_allowed': { method: 'PUT', path: '/x' },
  'admin_api.forbidden': { role: 'hr', permission: 'users.remove' },
  'admin_api.forbidden_role': { role: 'admin' },
  'admin_api.forbidden_target': { role: 'hr', targetRole: 'admin' },
  'admin_api.invalid_token': { problem: 'client_gone' },
  'admin_api.wrong_audience': { expected: 'https://id.example/admin/api' },
  'admin_api.not_service_account': { clientId: 'hr-sync' },
  'password.too_short': { minLength: 12 },
  'password.too_long': { maxLength: 128 },
  'password.missing_class': { requireClasses: ['digit'] },
  'password.reused': { history: 5 },
  'sign_up.domain_not_allowed': { domains: ['example.com'] },
  'passkey.invalid_name': { problem: 'too_long', max: 64 },
  'user.not_found': { id: 'u1' },
  'user.version_mismatch': { version: 3 },
  'user.no_email': { toSend: 'link' },
  'user.not_invitable': { status: 'inactive' },
  'mail_template.not_found': { id: 'reset', language: 'it' },
  'mail_template.unknown_variable': { variables: ['password'], allowed: ['name', 'link'] },
  'user.field_required': { field: 'email', message: 'email is required.' },
  'user.invalid_language': { field: 'locale', message: 'locale "xx" is not a supported language.' },
  'user.invalid_timezone': { field: 'timezone', message: 'timezone "Mars/Base" is not an IANA time zone.' },
  'user.invalid_custom_field': { field: 'customAttributes.size', message: 'Size (size) must be a number.' },
  'user.unknown_custom_field': { parameter: 'cf.nope' },
  'custom_field.exists': { key: 'size' },
  'custom_field.reserved_key': { key: 'email' },
  'merge.conflict': { conflicts: [{ field: 'email' }] },
  'user.self_change': { change: 'deactivate' },
  'user.not_deleted': { status: 'active' },
  'user.not_pending': { status: 'active' },
  'user.not_locked': { status: 'inactive' },
  'user.expired': { expiresAt: '2026-01-01T00:00:00.000Z' },
  'account.not_found': { ids: ['a1'] },
  'account.in_use': { users: 1, roleAssignments: 2 },
  'account_group.not_found': { ids: ['g1'] },
  'account_group.in_use': { roleAssignments: 2 },
  'group.not_found': { ids: ['g2'] },
  'licence.not_found': { key: 'office' },
  'licence.no_seats': { key: 'office', seats: 3 },
  'licence.seats_below_used': { key: 'office', seatsUsed: 4 },
  'settings.invalid': { minLength: 20, maxLength: 10 },
  'client.invalid': { problem: 'not_a_url', url: 'x' },
  'client.exists': { clientId: 'web' },
  'client.not_found': { clientId: 'web' },
  'client.built_in': { clientId: 'gatehouse-account' },
  'resource.invalid': { problem: 'ttl', min: 60, max: 86400 },
  'resource.not_found': { indicator: 'https://api.example' },
  'resource.exists': { indicator: 'https://api.example' },
  'resource.built_in': { indicator: 'https://id.example/admin/api' },
  'resource.in_use': { indicator: 'https://api.example', clients: 2 },
  'scim_token.invalid_role': { role: 'boss', roles: ['hr'] },
  'scim_token.name_taken': { name: 'Entra' },
  'scim_token.not_found': { idOrName: 'Entra' },
  'import.invalid_header': { problem: 'missing_key', key: 'email' },
  'import.too_many_rows': { max: 100 },
  'import.write_failed': { made: 1, planned: 2 },
  'impersonation.invalid_ticket': { incomplete: true },
  'impersonation.read_only': { targetName: 'Ada' },
  'cli.usage': { problem: '--email is required' },
  'cli.file_not_found': { path: '/tmp/x.csv' },
  'webhook.invalid_events': { allowed: ['user.created'] },
  'outbound.address_refused': { host: 'metadata.internal', address: '169.254.169.254' },
  'idp.invalid': { problem: 'name: lower-case letters, digits and -' },
  'idp.domain_taken': { domains: ['acme.example'] },
  'federation.unreachable': { provider: 'Acme' },
  'federation.metadata_invalid': { problem: 'no IDPSSODescriptor' },
  'federation.upstream_invalid': { problem: 'not base64' },
  'federation.upstream_denied': { status: 'AuthnFailed' },
};

const make = (code: ErrorCode) =>
  (fail as (code: ErrorCode, params?: unknown) => AppError)(code, (SAMPLES as Record<string, unknown>)[code]);

test('every code is area.reason', (t) => {
  for (const code of CODES) t.regex(code, /^[a-z][a-z_]*\.[a-z][a-z_]*$/, code);
});

test('every status is 4xx or 5xx', (t) => {
  for (const code of CODES) t.true(ERRORS[code].status >= 400 && ERRORS[code].status < 600, code);
});

test("fail gives the entry's code, status and message; expose below 500 (and for a RetryLater)", (t) => {
  for (const code of CODES) {
    const entry = ERRORS[code];
    const error = make(code);
    t.true(error instanceof AppError, code);
    t.is(error.code, code);
    t.is(error.status, entry.status, code);
    const expected =
      typeof entry.message === 'string'
        ? entry.message
        : (entry.message as (p: unknown) => string)((SAMPLES as Record<string, unknown>)[code]);
    t.is(error.message, expected, code);
    t.true(error.message.length > 0, code);
    t.is(error.expose, entry.status < 500 || error instanceof RetryLater, code);
  }
});

test('messages name their values; details carry what the admin API sends', (t) => {
  t.like(fail('user.version_mismatch', { version: 3 }), {
    message: 'The user has changed since (version 3 now); read it again.',
    details: { version: 3 },
  });
  t.like(fail('user.not_found', { id: 'u1' }), { message: 'No such user: u1.', details: { id: 'u1' } });
  t.like(fail('user.not_found', { identifier: 'ada' }), { message: 'No user matches "ada".', details: undefined });
  t.like(fail('user.not_found'), { message: 'No such user.', details: undefined });
  t.like(fail('account.not_found', { ids: ['a', 'b', 'c', 'd', 'e', 'f'] }), {
    message: 'No such account: a, b, c, d, e.',
    details: { ids: ['a', 'b', 'c', 'd', 'e', 'f'] },
  });
  t.deepEqual(fail('request.invalid_characters', { where: 'The path' }).details, undefined);
  t.deepEqual(fail('request.invalid_characters', { where: 'A query parameter name', parameter: '' }).details, {
    parameter: '',
  });
  t.is(errorMessage('password.too_short', { minLength: 20 }), 'The password must be at least 20 characters long.');
});

test('retry-later codes are RetryLater with their wait in details', (t) => {
  const limited = fail('rate_limit.exceeded', { retryAfterSeconds: 90 });
  t.true(limited instanceof RetryLater);
  t.like(limited, {
    status: 429,
    retryAfterSeconds: 90,
    message: 'Too many attempts. Try again in 2 minutes.',
    details: { retryAfterSeconds: 90 },
  });
  const busy = fail('server.busy');
  t.true(busy instanceof RetryLater);
  t.like(busy, { status: 503, expose: true, retryAfterSeconds: 1 });
});

test('page text: where a person is told otherwise, else the message', (t) => {
  t.is(pageText('passkey.invalid'), 'This passkey was not accepted. Try again, or use another way to sign in.');
  t.is(pageText('login.locked'), ERRORS['login.locked'].message);
  t.like(failOnPage('passkey.invalid', 401), {
    code: 'passkey.invalid',
    status: 401,
    message: pageText('passkey.invalid'),
  });
  t.like(failOnPage('auth.required'), { status: 401, message: 'Your session has ended. Sign in again.' });
});

test('a locked second step: the sign-in page speaks of codes, the API (and a passkey) does not', (t) => {
  t.is(
    pageText('mfa.locked'),
    'Too many incorrect codes: the second step is locked for a while. An administrator can reset it.',
  );
  t.like(fail('mfa.locked'), {
    status: 423,
    message: 'Too many failed attempts: the second step is locked for a while. An administrator can reset it.',
  });
});
