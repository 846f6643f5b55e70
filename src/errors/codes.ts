import { AppError } from './app-error.js';
import { RetryLater } from './retry-later.js';
import { defined } from '../util/defined.js';
import type { ServiceAccountProblem } from '../domain/service-account.js';
import type { ClientAuthProblem } from '../domain/client-authentication.js';

/**
 * Every error the application raises on purpose: code (`area.reason`) → HTTP
 * status and message. A message that names values is a function of typed
 * parameters; `details` says which of them the admin API sends back as
 * `details`; `retryAfter` makes the error a RetryLater (sent with Retry-After);
 * `page` is the text a person is shown where it differs from the API message.
 * Raise one with `throw fail('user.not_found')`.
 */
interface Entry {
  status: number;
  message: string | ((params: never) => string);
  details?: (params: never) => Record<string, unknown> | undefined;
  retryAfter?: (params: never) => number;
  page?: string;
}

/** "in 1 minute", "in 12 minutes", "in 30 seconds". */
export function waitPhrase(seconds: number): string {
  if (seconds < 60) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

type Ids = { ids?: readonly string[] } | undefined;
/** "No such user." or, naming the missing ones, "No such account: a, b." (at most five, all in `details.ids`). */
const noSuch = (what: string) => (p?: Ids) =>
  p?.ids ? `No such ${what}: ${p.ids.slice(0, 5).join(', ')}.` : `No such ${what}.`;
const idsDetails = (p?: Ids) => (p?.ids ? { ids: p.ids } : undefined);
const listed = (p: { issues: readonly { path: string; message: string }[] }, what: string) =>
  p.issues.map((i) => `${i.path || what}: ${i.message}`).join('; ');
const unstorableLine = (p: { where: string; parameter?: string }) =>
  `${p.where} holds a character that cannot be stored (NUL, an unpaired surrogate or invalid UTF-8).`;
const retrySeconds = (p: { retryAfterSeconds: number }) => p.retryAfterSeconds;

type ImportHeaderProblem =
  | { problem: 'empty' }
  | { problem: 'unreadable'; cause: string }
  | { problem: 'password_column' }
  | { problem: 'unknown_column'; name: string; columns: readonly string[] }
  | { problem: 'unnamed_column'; position: number }
  | { problem: 'repeated_column'; column: string }
  | { problem: 'missing_key'; key: string };

function importHeaderMessage(p: ImportHeaderProblem): string {
  switch (p.problem) {
    case 'empty':
      return 'The file is empty: its first line must name the columns.';
    case 'unreadable':
      return `The header line cannot be read: ${p.cause}`;
    case 'password_column':
      return 'Passwords are not imported: invite the users or send them password links afterwards. Remove the password column.';
    case 'unknown_column':
      return `Unknown column "${p.name}". Columns: ${p.columns.join(', ')}.`;
    case 'unnamed_column':
      return `Column ${p.position} has no name.`;
    case 'repeated_column':
      return `The column "${p.column}" appears twice.`;
    case 'missing_key':
      return `The key column "${p.key}" is missing.`;
  }
}

type ClientProblem =
  | {
      problem:
        | 'client_id'
        | 'needs_redirect_uri'
        | 'public_with_secret'
        | 'public_client_credentials'
        | 'public_resource_server'
        | 'public_no_secret'
        | 'auth_method_public'
        | 'needs_secret'
        | ServiceAccountProblem
        | ClientAuthProblem;
    }
  | { problem: 'grant_type'; grantType: string; allowed: readonly string[] }
  | { problem: 'not_a_url'; url: string }
  | { problem: 'logo_uri'; url: string }
  | { problem: 'unknown_resource_server'; indicator: string };

function clientMessage(p: ClientProblem): string {
  switch (p.problem) {
    case 'client_id':
      return 'The client id may hold letters, digits and . _ : - (at most 128).';
    case 'grant_type':
      return `Unknown grant type "${p.grantType}" (allowed: ${p.allowed.join(', ')}).`;
    case 'not_a_url':
      return `"${p.url}" is not a URL.`;
    case 'logo_uri':
      return `The logo "${p.url}" is not an https URL.`;
    case 'needs_redirect_uri':
      return 'An authorization_code client needs a redirect URI.';
    case 'public_with_secret':
      return 'A public client has no secret.';
    case 'public_client_credentials':
      return 'A public client cannot use client_credentials.';
    case 'public_resource_server':
      return 'A public client cannot be a resource server (it could not authenticate to introspect).';
    case 'unknown_resource_server':
      return `No resource server "${p.indicator}" is registered (gatehouse resource create --indicator ...).`;
    case 'public_no_secret':
      return 'A public client has no secret to rotate.';
    case 'service_account_role':
      return 'A service account holds manager, hr, admin or super_admin (individual is no administrator).';
    case 'service_account_public':
      return 'A public client cannot be a service account (it could not authenticate).';
    case 'service_account_grant':
      return 'A service account needs the client_credentials grant.';
    case 'service_account_scope':
      return 'Only a manager service account names the accounts or account groups it manages.';
    case 'service_account_no_scope':
      return 'A manager service account names at least one account or account group it manages.';
    case 'auth_method':
      return 'The token endpoint authentication method is one of client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, none.';
    case 'needs_jwks':
      return 'A private_key_jwt client gives its public keys: a JWKS URL or a JWKS, one of the two.';
    case 'jwks_not_used':
      return 'Only a private_key_jwt client gives a JWKS URL or a JWKS.';
    case 'jwks_invalid':
      return 'The JWKS URL is not an http(s) URL, or the JWKS is not 1 to 20 public keys ({"keys": [...]}, no private parts).';
    case 'auth_method_public':
      return 'A client cannot become public or stop being public: register a new one.';
    case 'needs_secret':
      return 'This client has no secret for a client_secret method: rotate its secret first.';
  }
}

type ResourceProblem =
  | { problem: 'indicator' }
  | { problem: 'scope'; scope: string }
  | { problem: 'ttl'; min: number; max: number };

function resourceMessage(p: ResourceProblem): string {
  switch (p.problem) {
    case 'indicator':
      return 'The indicator is an absolute URL without a fragment.';
    case 'scope':
      return `"${p.scope}" is not a scope (printable characters, no spaces or quotes).`;
    case 'ttl':
      return `The access token lifetime is a whole number of seconds from ${p.min} to ${p.max}.`;
  }
}

type AdminTokenProblem = 'unreadable' | 'client_gone';

const INVALID_LINK = 'This link has expired or was already used. Ask for a new one.';

export const ERRORS = {
  // The request itself (middleware/body.ts, the admin API's edge).
  'request.too_large': {
    status: 413,
    message: (p?: { limitBytes: number }) =>
      p
        ? `The file is larger than ${Math.round(p.limitBytes / 2 ** 20)} MiB: split it.`
        : 'The request body is too large.',
  },
  'request.incomplete': { status: 400, message: 'The upload ended early.' },
  'request.unsupported_media_type': {
    status: 415,
    message: (p: { expected: 'form' | 'json' | 'csv' }) =>
      ({
        form: 'Expected a form post.',
        json: 'Send the body as application/json.',
        csv: 'Send the file as text/csv.',
      })[p.expected],
  },
  'request.invalid_json': { status: 400, message: 'The body is not valid JSON.' },
  'request.invalid_body': {
    status: 400,
    message: (p: { issues: readonly { path: string; message: string }[] }) => listed(p, 'body'),
    details: (p: { issues: readonly unknown[] }) => ({ issues: p.issues }),
  },
  'request.invalid_query': {
    status: 400,
    message: (p: { issues: readonly { path: string; message: string }[] }) => listed(p, 'query'),
    details: (p: { issues: readonly unknown[] }) => ({ issues: p.issues }),
  },
  'request.invalid_characters': {
    status: 400,
    message: unstorableLine,
    details: (p: { parameter?: string }) => (p.parameter === undefined ? undefined : { parameter: p.parameter }),
  },
  'request.invalid_cursor': {
    status: 400,
    message: (p?: { sorted: boolean }) =>
      p?.sorted ? 'The cursor is not one this list (with this sort) gave.' : 'The cursor is not one this list gave.',
  },
  'request.unknown_parameter': {
    status: 400,
    message: (p: { name: string; known: readonly string[] }) =>
      `Unknown query parameter "${p.name}". This operation takes: ${p.known.join(', ') || 'none'}.`,
    details: (p: { name: string }) => ({ parameter: p.name }),
  },
  'request.invalid_if_match': { status: 400, message: "If-Match must be the user's version, as in its ETag." },
  'request.unknown_reference': {
    status: 400,
    message: 'The request names a record (an account, a manager, a group…) that does not exist.',
  },
  'conflict.unique': { status: 409, message: 'Another record already has this unique value; read it again and retry.' },
  'csrf.invalid': { status: 403, message: 'This form has expired. Go back, reload the page and try again.' },
  'rate_limit.exceeded': {
    status: 429,
    message: (p: { retryAfterSeconds: number }) => `Too many attempts. Try again ${waitPhrase(p.retryAfterSeconds)}.`,
    retryAfter: retrySeconds,
  },
  'server.busy': { status: 503, message: 'The server is busy. Try again in a moment.', retryAfter: () => 1 },

  // The admin API.
  'admin_api.not_found': {
    status: 404,
    message: (p: { method: string; path: string }) => `No endpoint ${p.method} ${p.path}.`,
  },
  'admin_api.method_not_allowed': {
    status: 405,
    message: (p: { method: string; path: string }) => `${p.method} is not allowed on ${p.path}.`,
  },
  'admin_api.unauthorized': {
    status: 401,
    message: 'No access token: send "Authorization: Bearer <an access token for the admin API, scope admin>".',
  },
  'admin_api.invalid_token': {
    status: 401,
    message: (p: { problem: AdminTokenProblem }) =>
      p.problem === 'client_gone'
        ? 'The client this access token was issued to no longer exists.'
        : 'The access token is not valid: expired, malformed, or not issued by this server.',
  },
  'admin_api.wrong_audience': {
    status: 401,
    message: (p: { expected: string }) =>
      `The access token is for another API: ask for one with resource=${p.expected} and scope admin.`,
  },
  'admin_api.cannot_sign_in': {
    status: 401,
    message: 'The person this access token was issued to may no longer sign in.',
  },
  'admin_api.missing_scope': {
    status: 403,
    message: 'The access token lacks the scope "admin": ask for scope=admin with the admin API as resource.',
  },
  'admin_api.not_service_account': {
    status: 403,
    message: (p: { clientId: string }) =>
      `The client "${p.clientId}" is not a service account: give it a service-account role to call the admin API with its own token.`,
  },
  'admin_api.person_only': {
    status: 403,
    message: 'Only a person does this (a service account has no user record, session or browser).',
  },
  'admin_api.forbidden': {
    status: 403,
    message: (p: { role: string; permission: string; needs?: string } | { identifiers: true }) =>
      'identifiers' in p
        ? "Only HR and administrators change a user's email or userCode."
        : `Your role (${p.role}) may not do this (${p.permission}${p.needs ? `, which needs ${p.needs}` : ''}).`,
  },
  'admin_api.forbidden_role': { status: 403, message: (p: { role: string }) => `Your role may not grant ${p.role}.` },
  'admin_api.forbidden_target': {
    status: 403,
    message: (p: { role: string; targetRole: string }) =>
      `Your role (${p.role}) may not change a user who is ${p.targetRole}.`,
  },

  // Sign-in (the page shows the message; an unknown user and a wrong password share one).
  'login.invalid_credentials': { status: 401, message: 'The email, User ID or password is incorrect.' },
  'login.locked': { status: 403, message: 'Your account is locked. Reset your password to unlock it.' },
  'login.inactive': {
    status: 403,
    message: 'Your account has been deactivated. Ask your administrator to reactivate it.',
  },
  'login.pending': {
    status: 403,
    message: 'Your account is not active yet: it is waiting for an invitation to be accepted or for approval.',
  },
  'login.deleted': {
    status: 403,
    message: 'This account has been deleted. Ask your administrator if you need access.',
  },
  'login.not_allowed': { status: 403, message: 'You may not sign in with this account.' },
  'login.no_licence': {
    status: 403,
    message: 'Your account has no licence to sign in. Ask your administrator to give you one.',
  },
  // Sign-in through the organisation's identity provider (federation).
  'login.federation_required': {
    status: 403,
    message: "Your organisation signs you in with its own sign-in page: use your organisation's button below.",
  },
  'login.upstream_unknown_user': {
    status: 403,
    message:
      "Your organisation's sign-in succeeded, but no account here belongs to you yet. Ask your administrator to invite you.",
  },
  'login.upstream_refused': {
    status: 401,
    message: "Your organisation's sign-in did not let you in. Try again, or ask your administrator.",
  },
  'login.upstream_invalid': {
    status: 400,
    message: "The answer from your organisation's sign-in could not be verified. Start the sign-in again.",
  },
  'auth.required': { status: 401, message: 'Your session has ended. Sign in again.' },
  'interaction.wrong_step': {
    status: 400,
    message: 'This sign-in step has already been completed.',
    page: 'This sign-in step has already been completed. Reload the page.',
  },
  'interaction.grant_missing': { status: 400, message: 'The sign-in request has expired.' },
  'interaction.unknown_prompt': { status: 400, message: 'This sign-in step is not supported.' },

  // Passwords (policies/password.ts decides; the messages follow the policy in force).
  'password.too_short': {
    status: 400,
    message: (p: { minLength: number }) => `The password must be at least ${p.minLength} characters long.`,
  },
  'password.too_long': {
    status: 400,
    message: (p: { maxLength: number }) => `The password must be at most ${p.maxLength} characters long.`,
  },
  'password.missing_class': {
    status: 400,
    message: (p: { requireClasses: readonly string[] }) =>
      `The password must contain: ${p.requireClasses.join(', ')} characters.`,
  },
  'password.contains_personal_data': {
    status: 400,
    message: 'The password must not contain your email address or your name.',
  },
  'password.too_common': { status: 400, message: 'This password is too common; choose another one.' },
  'password.reused': {
    status: 400,
    message: (p: { history: number }) => `The password must differ from your last ${p.history} passwords.`,
  },
  'password.confirmation_differs': { status: 400, message: 'The two passwords differ.' },
  'password_reset.invalid_token': { status: 400, message: INVALID_LINK },

  // Self-registration (policies/sign-up.ts; nothing here tells whether an address has an account).
  'sign_up.disabled': {
    status: 404,
    message: 'Creating an account is not available here. Ask your administrator for an account.',
  },
  'sign_up.invalid_email': { status: 400, message: 'Give a valid email address.' },
  'sign_up.name_required': {
    status: 400,
    message: 'Give your given name and your family name (at most 200 characters each).',
  },
  'sign_up.domain_not_allowed': {
    status: 400,
    message: (p: { domains: readonly string[] }) =>
      `An account can only be created with an email address at ${p.domains.join(', ')}.`,
  },
  'sign_up.passwords_differ': { status: 400, message: 'The two passwords differ.' },
  'sign_up.invalid_token': { status: 400, message: 'This link has expired or was already used. Sign up again.' },

  // Second factors.
  'mfa.totp_unreadable': { status: 500, message: 'The stored TOTP secret cannot be opened.' },
  'mfa.totp_exists': {
    status: 409,
    message: 'An authenticator app is already set up. Remove it before setting up another.',
  },
  'mfa.no_enrolment': { status: 400, message: 'Start the set-up again.' },
  'mfa.invalid_code': { status: 401, message: 'The code is incorrect or has already been used.' },
  'mfa.locked': {
    status: 423,
    message: 'Too many failed attempts: the second step is locked for a while. An administrator can reset it.',
    page: 'Too many incorrect codes: the second step is locked for a while. An administrator can reset it.',
  },
  'passkey.invalid': {
    status: 400,
    message: 'The passkey could not be verified. Try again.',
    page: 'This passkey was not accepted. Try again, or use another way to sign in.',
  },
  'passkey.not_found': { status: 404, message: 'This passkey does not exist.' },
  'passkey.already_registered': { status: 409, message: 'This passkey is registered already.' },
  'passkey.invalid_name': {
    status: 400,
    message: (p: { problem: 'empty' | 'control_characters' } | { problem: 'too_long'; max: number }) =>
      p.problem === 'empty'
        ? 'Give the passkey a name.'
        : p.problem === 'too_long'
          ? `A passkey name has at most ${p.max} characters.`
          : 'The passkey name contains characters that are not allowed.',
  },

  // The self-service pages' own texts (the status each page answers with).
  'self_service.wrong_password': { status: 403, message: 'The current password is incorrect.' },
  'self_service.totp_invalid_code': {
    status: 401,
    message: 'The code is incorrect. Check the time on your phone and try the next code.',
  },
  'self_service.totp_locked': { status: 403, message: 'Too many incorrect codes: try again later.' },

  // A person's own change of email (the /account page).
  'email_change.invalid_email': { status: 400, message: 'Give a valid email address.' },
  'email_change.same_email': { status: 400, message: 'This is your email address already.' },
  'email_change.invalid_token': {
    status: 400,
    message: 'This link has expired or was already used. Ask for a new one on your account page.',
  },
  'email_change.taken': {
    status: 409,
    message: 'This address belongs to another account: your email stays as it was.',
  },

  // Users.
  'user.not_found': {
    status: 404,
    message: (p?: { id: string } | { identifier: string }) =>
      !p ? 'No such user.' : 'id' in p ? `No such user: ${p.id}.` : `No user matches "${p.identifier}".`,
    details: (p?: { id: string } | { identifier: string }) => (p && 'id' in p ? { id: p.id } : undefined),
  },
  'user.version_mismatch': {
    status: 412,
    message: (p: { version: number }) => `The user has changed since (version ${p.version} now); read it again.`,
    details: (p: { version: number }) => ({ version: p.version }),
  },
  'user.email_taken': { status: 409, message: 'A user with this email already exists.' },
  'user.user_code_taken': { status: 409, message: 'A user with this userCode already exists.' },
  'user.invalid_manager': { status: 400, message: 'directManagerId must be another user you can see.' },
  'user.no_email': {
    status: 409,
    message: (p: { toSend: 'link' | 'invitation' }) =>
      `The user has no email to send ${p.toSend === 'link' ? 'a link' : 'an invitation'} to.`,
  },
  'user.not_invitable': {
    status: 409,
    message: (p: { status: string }) => `The user's status is ${p.status}: reactivate them before inviting them.`,
  },
  'user.last_super_admin': {
    status: 409,
    message: 'No super admin who may sign in would be left: make someone else super admin first.',
  },
  'user.already_deleted': {
    status: 409,
    message: 'This user is deleted already (a second delete, one user at a time, removes them for good).',
  },
  'user.already_anonymised': { status: 409, message: 'This user was anonymised already.' },

  // The user record: required fields, language and time zone, custom fields (policies/user-record.ts).
  'user.field_required': {
    status: 400,
    message: (p: { field: string; message: string }) => p.message,
    details: (p: { field: string }) => ({ field: p.field }),
  },
  'user.invalid_language': {
    status: 400,
    message: (p: { field: string; message: string }) => p.message,
    details: (p: { field: string }) => ({ field: p.field }),
  },
  'user.invalid_timezone': {
    status: 400,
    message: (p: { field: string; message: string }) => p.message,
    details: (p: { field: string }) => ({ field: p.field }),
  },
  'user.invalid_custom_field': {
    status: 400,
    message: (p: { field: string; message: string }) => p.message,
    details: (p: { field: string }) => ({ field: p.field }),
  },
  'user.unknown_custom_field': {
    status: 400,
    message: (p: { parameter: string }) => `${p.parameter}: no custom field has this key.`,
    details: (p: { parameter: string }) => ({ parameter: p.parameter }),
  },
  'custom_field.not_found': { status: 404, message: 'No such custom field.' },
  'custom_field.exists': {
    status: 409,
    message: (p: { key: string }) => `A custom field with the key "${p.key}" exists already.`,
    details: (p: { key: string }) => ({ key: p.key }),
  },
  'custom_field.reserved_key': {
    status: 400,
    message: (p: { key: string }) => `"${p.key}" names a standard field or claim: choose another key.`,
    details: (p: { key: string }) => ({ key: p.key }),
  },
  'custom_field.invalid_options': {
    status: 400,
    message: 'A field of type "option" needs at least one option (each once); other types take none.',
  },
  'anonymise.self': { status: 400, message: 'You may not anonymise your own user.' },
  'merge.same_user': { status: 400, message: 'keepId and mergeId must be two different users.' },
  'merge.self': { status: 400, message: 'You may not merge away your own user.' },
  'merge.conflict': {
    status: 409,
    message: (p: { conflicts: readonly { field: string }[] }) =>
      `The two users differ in ${p.conflicts.map((c) => c.field).join(', ')}: settle it on one of them first.`,
    details: (p: { conflicts: readonly unknown[] }) => ({ conflicts: p.conflicts }),
  },
  'invitation.not_scheduled': { status: 409, message: 'The user has no scheduled invitation to cancel.' },
  'invitation.message_scheduled': {
    status: 409,
    message: 'A personal message goes only with an invitation sent now, not with a scheduled one.',
  },

  // A user's life cycle: restore, expiry, approval, changes to oneself.
  // Without a `change`: any change (a bulk action never touches the caller).
  'user.self_change': {
    status: 409,
    message: (p?: { change: 'deactivate' | 'lock' | 'delete' | 'expire' }) =>
      p
        ? `You may not ${p.change === 'expire' ? 'set an expiry on' : p.change} your own user: ask another administrator.`
        : 'You may not do this to your own user.',
    details: (p?: { change: string }) => (p ? { change: p.change } : undefined),
  },
  'user.not_deleted': {
    status: 409,
    message: (p: { status: string }) => `The user's status is ${p.status}: only a deleted user is restored.`,
  },
  'user.not_locked': {
    status: 409,
    message: (p: { status: string }) => `The user's status is ${p.status}: only a locked user is unlocked.`,
  },
  'user.not_pending': {
    status: 409,
    message: (p: { status: string }) => `The user's status is ${p.status}: only a pending user is approved.`,
  },
  'user.expired': {
    status: 409,
    message: (p: { expiresAt: string }) =>
      `The account ended at ${p.expiresAt}: set a later expiresAt (or null) before letting the user sign in again.`,
    details: (p: { expiresAt: string }) => ({ expiresAt: p.expiresAt }),
  },

  // Accounts, account groups, groups.
  'account.not_found': { status: 404, message: noSuch('account'), details: idsDetails },
  'account.name_taken': { status: 409, message: 'An account with this name already exists.' },
  'account.guest_kind_fixed': { status: 409, message: 'The Guest account is built in: its kind cannot change.' },
  'account.guest_undeletable': { status: 409, message: 'The Guest account is built in: it cannot be deleted.' },
  'account.in_use': {
    status: 409,
    message: (p: { users: number; roleAssignments: number }) =>
      `The account employs ${p.users} user(s) and has ${p.roleAssignments} scoped role assignment(s): move them first, or delete with ?force=true.`,
    details: (p: { users: number; roleAssignments: number }) => ({ ...p }),
  },
  'account_group.not_found': { status: 404, message: noSuch('account group'), details: idsDetails },
  'account_group.name_taken': { status: 409, message: 'An account group with this name already exists.' },
  'account_group.in_use': {
    status: 409,
    message: (p: { roleAssignments: number }) =>
      `The account group has ${p.roleAssignments} scoped role assignment(s) (its managers): remove them first, or delete with ?force=true.`,
    details: (p: { roleAssignments: number }) => ({ roleAssignments: p.roleAssignments }),
  },
  'group.not_found': { status: 404, message: noSuch('group'), details: idsDetails },
  'employment.last': {
    status: 400,
    message: 'A user works for at least one account: add them to another one before removing this one.',
  },
  'group.name_taken': { status: 409, message: 'A group with this displayName already exists.' },

  // Mail templates.
  'mail_template.not_found': {
    status: 404,
    message: (p: { id: string; language: string }) =>
      `No mail template "${p.id}" in language "${p.language}": see GET /admin/api/mail-templates.`,
  },
  'mail_template.unknown_variable': {
    status: 400,
    message: (p: { variables: readonly string[]; allowed: readonly string[] }) =>
      `The template uses ${p.variables.map((v) => `{{${v}}}`).join(', ')}, which this mail does not provide. Its variables: ${p.allowed.map((v) => `{{${v}}}`).join(', ')}.`,
    details: (p: { variables: readonly string[]; allowed: readonly string[] }) => ({
      variables: p.variables,
      allowed: p.allowed,
    }),
  },

  // Licences (services/licences.ts).
  'licence.not_found': {
    status: 404,
    message: (p: { key: string }) => `No licence type has the key "${p.key}".`,
    details: (p: { key: string }) => ({ key: p.key }),
  },
  'licence.key_taken': { status: 409, message: 'A licence type with this key already exists.' },
  'licence.no_seats': {
    status: 409,
    message: (p: { key: string; seats: number }) =>
      `Every seat of the licence "${p.key}" is taken (${p.seats}): remove it from someone or raise its seats.`,
    details: (p: { key: string; seats: number }) => ({ key: p.key, seats: p.seats }),
  },
  'licence.self_lockout': {
    status: 409,
    message:
      'This would leave you without a licence to sign in: give yourself one of a type required to sign in first.',
  },
  'licence.seats_below_used': {
    status: 409,
    message: (p: { key: string; seatsUsed: number }) =>
      `${p.seatsUsed} users hold the licence "${p.key}": seats may not be fewer.`,
    details: (p: { key: string; seatsUsed: number }) => ({ key: p.key, seatsUsed: p.seatsUsed }),
  },

  // Settings, clients, SCIM tokens.
  'settings.invalid': {
    status: 400,
    message: (p: { minLength: number; maxLength: number }) =>
      `passwordPolicy.minLength (${p.minLength}) may not exceed passwordPolicy.maxLength (${p.maxLength}).`,
  },
  'settings.duplicate_emails_exist': {
    status: 409,
    message: 'Some users share an email: make every email unique before turning duplicate emails off.',
  },
  'client.invalid': { status: 400, message: clientMessage },
  'client.exists': { status: 409, message: (p: { clientId: string }) => `client "${p.clientId}" already exists` },

  // Clients, service accounts and resource servers (the admin API and the CLI).
  'client.not_found': { status: 404, message: (p: { clientId: string }) => `No client "${p.clientId}".` },
  'client.built_in': {
    status: 409,
    message: (p: { clientId: string }) =>
      `The client "${p.clientId}" is Gatehouse's own (its account pages or administration console).`,
  },
  'resource.invalid': { status: 400, message: resourceMessage },
  'resource.not_found': { status: 404, message: (p: { indicator: string }) => `No resource server "${p.indicator}".` },
  'resource.exists': {
    status: 409,
    message: (p: { indicator: string }) => `The resource server "${p.indicator}" already exists.`,
  },
  'resource.built_in': {
    status: 409,
    message: (p: { indicator: string }) => `The resource server "${p.indicator}" is Gatehouse's own API.`,
  },
  'resource.in_use': {
    status: 409,
    message: (p: { indicator: string; clients: number }) =>
      `${p.clients} client(s) are registered as the resource server "${p.indicator}": delete them or register them otherwise first.`,
  },
  'scim_token.invalid_name': {
    status: 400,
    message: 'The name may hold letters, digits, spaces and . _ : @ - (at most 100).',
  },
  'scim_token.invalid_role': {
    status: 400,
    message: (p: { role: string; roles: readonly string[] }) =>
      `Unknown role "${p.role}": roles are ${p.roles.join(', ')}.`,
  },
  'scim_token.name_taken': {
    status: 409,
    message: (p: { name: string }) => `A SCIM token named "${p.name}" exists; revoke it or choose another name.`,
  },
  'scim_token.not_found': { status: 404, message: (p: { idOrName: string }) => `No live SCIM token "${p.idOrName}".` },

  // Imports.
  'import.invalid_header': { status: 400, message: importHeaderMessage },
  'import.incomplete': { status: 400, message: 'The file ended early (the upload was cut).' },
  'import.too_many_rows': {
    status: 400,
    message: (p: { max: number }) => `The file has more than ${p.max} rows: split it.`,
  },
  'import.write_failed': {
    status: 500,
    message: (p: { made: number; planned: number }) => `${p.made} users of ${p.planned} were created.`,
  },
  'import.interrupted': { status: 409, message: 'Another instance ended this import (its lease ran out).' },
  'import.job_not_found': { status: 404, message: 'No such import.' },

  // Impersonation (`impersonation.not_allowed` is all that someone who may not impersonate is ever told).
  'impersonation.chained': {
    status: 403,
    message: 'A token that already acts for someone cannot start an impersonation.',
  },
  'impersonation.not_allowed': { status: 403, message: 'You may not impersonate this user.' },
  'impersonation.mfa_required': {
    status: 403,
    message: 'Sign in with multi-factor authentication to impersonate users.',
  },
  'impersonation.unknown_target': { status: 404, message: 'No such user.' },
  // Bulk actions (services/user-bulk.ts).
  'bulk.count_changed': {
    status: 409,
    message: (p: { expected: number; actual: number }) =>
      `The filter now matches ${p.actual} users, not the ${p.expected} expected: list them again before acting.`,
    details: (p: { expected: number; actual: number }) => ({ expected: p.expected, actual: p.actual }),
  },
  'bulk.interrupted': { status: 409, message: 'Another instance ended this bulk action (its lease ran out).' },
  'bulk.job_not_found': { status: 404, message: 'No such bulk action job.' },
  'impersonation.self': { status: 400, message: 'You cannot impersonate yourself.' },
  'impersonation.target_cannot_sign_in': {
    status: 409,
    message: 'This user may not sign in, so they cannot be impersonated.',
  },
  'impersonation.forbidden_target': { status: 403, message: 'Your role may not impersonate users with this role.' },
  'impersonation.invalid_ticket': {
    status: 400,
    message: (p?: { incomplete: true }) =>
      p
        ? 'This impersonation link is incomplete.'
        : 'This impersonation link is not valid any more: it was used already or it expired. Ask for a new one.',
  },
  'impersonation.no_session': {
    status: 401,
    message: 'Sign in to Gatehouse as yourself in this browser, then open the link again.',
  },
  'impersonation.already_active': {
    status: 409,
    message: 'You are already acting as someone. Stop that first, then open the link again.',
  },
  'impersonation.wrong_session': {
    status: 403,
    message: 'This link was made for someone else. Open it in the browser where its requester is signed in.',
  },
  'impersonation.read_only': {
    status: 403,
    message: (p: { targetName: string }) =>
      `While you act as ${p.targetName}, their password and security settings cannot be changed.`,
  },

  // The command-line tool (its exit codes: cli/exit-codes.ts).
  'cli.usage': { status: 400, message: (p: { problem: string }) => p.problem },
  'cli.file_not_found': { status: 404, message: (p: { path: string }) => `cannot read ${p.path}` },

  // Prometheus metrics on the public port (METRICS_TOKEN).
  'metrics.unauthorized': {
    status: 401,
    message: 'Send "Authorization: Bearer <METRICS_TOKEN>" to read the metrics.',
  },

  // Webhooks and outbound calls (back-channel logout, webhook deliveries).
  'webhook.not_found': { status: 404, message: 'No such webhook.' },
  'webhook.invalid_url': {
    status: 400,
    message: 'A webhook URL is an absolute http or https URL without credentials or a fragment.',
  },
  'webhook.invalid_events': {
    status: 400,
    message: (p: { allowed: readonly string[] }) => `Name at least one event of: ${p.allowed.join(', ')}.`,
    details: (p: { allowed: readonly string[] }) => ({ allowed: p.allowed }),
  },
  // Identity providers (federation): the admin API and CLI.
  'idp.not_found': { status: 404, message: 'No such identity provider.' },
  'idp.name_taken': { status: 409, message: 'An identity provider with this name exists.' },
  'idp.invalid': {
    status: 400,
    message: (p: { problem: string }) => p.problem,
    details: (p: { problem: string }) => ({ problem: p.problem }),
  },
  'idp.domain_taken': {
    status: 409,
    message: (p: { domains: readonly string[] }) => `Another identity provider holds ${p.domains.join(', ')}.`,
    details: (p: { domains: readonly string[] }) => ({ domains: p.domains }),
  },
  'federation.unknown_provider': {
    status: 404,
    message: 'No such sign-in provider.',
    page: 'This sign-in provider does not exist or is turned off.',
  },
  'federation.unreachable': {
    status: 503,
    message: (p: { provider: string }) => `${p.provider} cannot be reached now. Try again in a moment.`,
    details: (p: { provider: string }) => ({ provider: p.provider }),
    retryAfter: () => 30,
  },
  'federation.no_sign_in': {
    status: 400,
    message: 'No sign-in is waiting for this answer.',
    page: 'This sign-in is no longer in progress. Go back to the application and sign in again.',
  },
  'outbound.address_refused': {
    status: 400,
    message: (p: { host: string; address: string }) =>
      `${p.host} is a private, loopback or link-local address (${p.address}): outbound calls may not go there (OUTBOUND_ALLOW_PRIVATE=1 allows it in development).`,
  },

  // Upstream SAML identity providers (services/saml-*.ts). A refused answer is audited as
  // `signin.failed` with the reason after `federation.` (`upstream_signature` …).
  'federation.metadata_invalid': {
    status: 400,
    message: (p: { problem: string }) => `The identity provider's metadata cannot be used: ${p.problem}`,
  },
  'federation.upstream_invalid': {
    status: 400,
    message: (p: { problem: string }) => `The identity provider's answer cannot be read: ${p.problem}`,
  },
  'federation.upstream_denied': {
    status: 401,
    message: (p: { status: string }) => `The identity provider did not sign you in (${p.status}).`,
  },
  'federation.upstream_signature': {
    status: 401,
    message: "The identity provider's answer is not signed with a certificate registered for it.",
  },
  'federation.upstream_issuer': { status: 401, message: 'The assertion was issued by another identity provider.' },
  'federation.upstream_audience': { status: 401, message: 'The assertion is meant for another service provider.' },
  'federation.upstream_recipient': {
    status: 401,
    message: "The assertion was sent to another address than this provider's sign-in address (ACS URL).",
  },
  'federation.upstream_expired': {
    status: 401,
    message: 'The assertion has expired or is not valid yet. Sign in again (if it repeats, check the clocks).',
  },
  'federation.upstream_replay': { status: 401, message: 'This assertion was already used. Sign in again.' },
  'federation.upstream_unknown_request': {
    status: 401,
    message: 'The answer is not to a sign-in request this server sent, or the request has expired. Sign in again.',
  },
} as const satisfies Record<string, Entry>;

export type ErrorCode = keyof typeof ERRORS;
/** The refusals of sign-in (policies/status.ts names them by status). */
export type LoginCode = Extract<ErrorCode, `login.${string}`>;

type MessageOf<C extends ErrorCode> = (typeof ERRORS)[C]['message'];
/** The parameters a code's message and details take (none for a fixed message). */
export type ErrorParams<C extends ErrorCode> = C extends ErrorCode
  ? MessageOf<C> extends (params: infer P) => string
    ? P
    : undefined
  : never;
/** The codes whose message names no values. */
type FixedCode = { [C in ErrorCode]: MessageOf<C> extends string ? C : never }[ErrorCode];
type ParamsArg<C extends ErrorCode> =
  undefined extends ErrorParams<C> ? [params?: ErrorParams<C>] : [params: ErrorParams<C>];

const entryOf = (code: ErrorCode) => ERRORS[code] as Entry & { message: string | ((params: unknown) => string) };
const call = <T>(f: ((params: never) => T) | undefined, params: unknown): T | undefined =>
  (f as ((params: unknown) => T) | undefined)?.(params);

/** The API message of `code` with these parameters. */
export function errorMessage<C extends ErrorCode>(code: C, ...[params]: ParamsArg<C>): string {
  const { message } = entryOf(code);
  return typeof message === 'string' ? message : message(params);
}

/** What a person is shown for `code`: its page text, else its message. */
export function pageText<C extends ErrorCode>(code: C, ...args: ParamsArg<C>): string {
  return entryOf(code).page ?? errorMessage(code, ...args);
}

/** The error for `code`, with its catalogue status and message: `throw fail('user.not_found')`. */
export function fail<C extends ErrorCode>(code: C, ...[params]: ParamsArg<C>): AppError {
  const entry = entryOf(code);
  const message = errorMessage(code, ...([params] as ParamsArg<C>));
  if (entry.retryAfter)
    return new RetryLater(
      code,
      entry.status,
      message,
      defined(call(entry.retryAfter, params), `the retryAfter of ${code}`),
    );
  return new AppError(code, entry.status, message, call(entry.details, params), params as AppError['params']);
}

/**
 * What a page shows a person for an error: its code and values (the page
 * translates them, http/page-text.ts) and the English text, the code's page
 * text else the message.
 */
export interface PageNotice {
  code: string;
  message: string;
  params?: Readonly<Record<string, unknown>>;
}

/** The notice of an error raised with `fail` (or any AppError: its message is the English text). */
export function pageNotice(err: AppError): PageNotice {
  const page = (ERRORS as Record<string, Entry>)[err.code]?.page;
  return { code: err.code, message: page ?? err.message, params: { ...err.details, ...err.params } };
}

/** The notice of `code` with these values, without raising it. */
export function noticeOf<C extends ErrorCode>(code: C, ...args: ParamsArg<C>): PageNotice {
  return pageNotice(fail(code, ...args));
}

/**
 * The refusal a browser script shows a person (the passkey endpoints): the page
 * text, with `status` where that endpoint answers otherwise (a passkey refused at
 * sign-in is 401).
 */
export function failOnPage(code: FixedCode, status: number = ERRORS[code].status): AppError {
  return new AppError(code, status, pageText(code));
}
