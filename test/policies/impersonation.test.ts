import test from 'ava';
import { ROLES, STATUSES, type Role, type Status } from '../../src/domain/user.js';
import {
  evaluateImpersonation,
  impersonatorRole,
  protectedRole,
  type ImpersonationActor,
  type ImpersonationRefusal,
  type ImpersonationSettings,
  type ImpersonationTarget,
} from '../../src/policies/impersonation.js';

const NO_MFA: ImpersonationSettings = { mfaRequiredRoles: [] };
const MFA_FOR_ADMINS: ImpersonationSettings = { mfaRequiredRoles: ['admin', 'super_admin'] };
const PWD = ['pwd'];
const PWD_OTP = ['pwd', 'otp'];

const actor = (role: Role, more: Partial<ImpersonationActor> = {}): ImpersonationActor => ({
  id: 'actor',
  status: 'active',
  mainRole: role,
  assignments: [{ role, accountId: null, accountGroupId: null }],
  amr: PWD_OTP,
  chained: false,
  ...more,
});
const target = (role: Role, more: Partial<ImpersonationTarget> = {}): ImpersonationTarget => ({
  id: 'target',
  status: 'active',
  mainRole: role,
  roleNames: [role],
  ...more,
});

type Outcome = ImpersonationRefusal | 'allowed';
const outcome = (a: ImpersonationActor, t: ImpersonationTarget | undefined, s = NO_MFA): Outcome =>
  evaluateImpersonation(a, t, s) ?? 'allowed';

// SPEC "Who may do what": every actor role × every target role.
const OK = 'allowed';
const NA = 'impersonation.not_allowed';
const FT = 'impersonation.forbidden_target';
const ROLE_TABLE: Record<Role, Record<Role, Outcome>> = {
  //            target:  individual      manager        hr             admin          super_admin
  individual: { individual: NA, manager: NA, hr: NA, admin: NA, super_admin: NA },
  manager: { individual: NA, manager: NA, hr: NA, admin: NA, super_admin: NA },
  hr: { individual: NA, manager: NA, hr: NA, admin: NA, super_admin: NA },
  admin: { individual: OK, manager: OK, hr: FT, admin: FT, super_admin: FT },
  super_admin: { individual: OK, manager: OK, hr: OK, admin: OK, super_admin: FT },
};

test('the role table covers every role pair', (t) => {
  t.deepEqual(Object.keys(ROLE_TABLE).sort(), [...ROLES].sort());
  for (const row of Object.values(ROLE_TABLE)) t.deepEqual(Object.keys(row).sort(), [...ROLES].sort());
});

for (const actorRole of ROLES) {
  for (const targetRole of ROLES) {
    const expected = ROLE_TABLE[actorRole][targetRole];
    test(`${actorRole} acting as ${targetRole}: ${expected}`, (t) => {
      t.is(outcome(actor(actorRole), target(targetRole)), expected);
      // MFA required for the actor's role and used: the same answer.
      t.is(outcome(actor(actorRole), target(targetRole), MFA_FOR_ADMINS), expected);
    });
  }
}

test('nobody acts as themself', (t) => {
  for (const role of ROLES) {
    const self = target(role, { id: 'actor' });
    t.is(outcome(actor(role), self), role === 'admin' || role === 'super_admin' ? 'impersonation.self' : NA, role);
  }
});

// SPEC "Statuses": a user who may not sign in cannot be impersonated.
const TARGET_STATUS: Record<Status, Outcome> = {
  active: OK,
  new: OK,
  import: OK,
  temporary: OK,
  pending: 'impersonation.target_cannot_sign_in',
  inactive: 'impersonation.target_cannot_sign_in',
  locked: 'impersonation.target_cannot_sign_in',
  deleted: 'impersonation.target_cannot_sign_in',
};

test('the status table covers every status', (t) => {
  t.deepEqual(Object.keys(TARGET_STATUS).sort(), [...STATUSES].sort());
});

for (const status of STATUSES) {
  test(`target ${status}: admin gets ${TARGET_STATUS[status]}, super_admin the same, a manager only the generic refusal`, (t) => {
    t.is(outcome(actor('admin'), target('individual', { status })), TARGET_STATUS[status]);
    t.is(outcome(actor('super_admin'), target('admin', { status })), TARGET_STATUS[status]);
    t.is(outcome(actor('manager'), target('individual', { status })), NA);
  });

  test(`actor ${status}: ${TARGET_STATUS[status] === OK ? 'may' : 'may not'} impersonate`, (t) => {
    t.is(outcome(actor('super_admin', { status }), target('individual')), TARGET_STATUS[status] === OK ? OK : NA);
  });
}

test('an actor whose role requires MFA must have signed in with a second factor', (t) => {
  for (const role of ['admin', 'super_admin'] as const) {
    t.is(outcome(actor(role, { amr: PWD }), target('individual'), MFA_FOR_ADMINS), 'impersonation.mfa_required', role);
    t.is(
      outcome(actor(role, { amr: undefined }), target('individual'), MFA_FOR_ADMINS),
      'impersonation.mfa_required',
      role,
    );
    t.is(outcome(actor(role, { amr: [] }), target('individual'), MFA_FOR_ADMINS), 'impersonation.mfa_required', role);
    t.is(
      outcome(actor(role, { amr: ['otp'] }), target('individual'), MFA_FOR_ADMINS),
      'impersonation.mfa_required',
      `${role}: one factor`,
    );
    t.is(outcome(actor(role, { amr: PWD_OTP }), target('individual'), MFA_FOR_ADMINS), OK, role);
    t.is(
      outcome(actor(role, { amr: ['pwd', 'hwk'] }), target('individual'), MFA_FOR_ADMINS),
      OK,
      `${role}: security key`,
    );
    t.is(outcome(actor(role, { amr: ['hwk', 'user'] }), target('individual'), MFA_FOR_ADMINS), OK, `${role}: passkey`);
    t.is(outcome(actor(role, { amr: PWD }), target('individual'), NO_MFA), OK, `${role}: MFA not required`);
  }
});

test('any role of the actor, scoped or not, can require MFA', (t) => {
  const scopedHr = actor('admin', { amr: PWD, assignments: [{ role: 'hr', accountId: 'acme', accountGroupId: null }] });
  t.is(outcome(scopedHr, target('individual'), { mfaRequiredRoles: ['hr'] }), 'impersonation.mfa_required');
  t.is(outcome(scopedHr, target('individual'), { mfaRequiredRoles: ['manager'] }), OK);
});

test('the MFA refusal comes after the generic one: a non-admin is not told about MFA', (t) => {
  t.is(outcome(actor('hr', { amr: PWD }), target('individual'), { mfaRequiredRoles: ['hr'] }), NA);
});

test('the MFA refusal comes before anything about the target', (t) => {
  t.is(outcome(actor('admin', { amr: PWD }), undefined, MFA_FOR_ADMINS), 'impersonation.mfa_required');
  t.is(outcome(actor('admin', { amr: PWD }), target('super_admin'), MFA_FOR_ADMINS), 'impersonation.mfa_required');
});

test('an actor token that already has `act` cannot start another impersonation (no chaining)', (t) => {
  for (const role of ROLES)
    t.is(outcome(actor(role, { chained: true }), target('individual')), 'impersonation.chained', role);
  t.is(outcome(actor('super_admin', { chained: true }), undefined), 'impersonation.chained');
});

test('an unknown target: admins are told, anyone else gets the generic refusal', (t) => {
  t.is(outcome(actor('admin'), undefined), 'impersonation.unknown_target');
  t.is(outcome(actor('super_admin'), undefined), 'impersonation.unknown_target');
  for (const role of ['individual', 'manager', 'hr'] as const) t.is(outcome(actor(role), undefined), NA, role);
});

test('non-admins learn nothing about the target: the same answer for every kind of target', (t) => {
  const targets = [
    undefined,
    target('individual'),
    target('super_admin'),
    target('manager', { status: 'locked' }),
    target('hr', { id: 'actor' }),
  ];
  for (const role of ['individual', 'manager', 'hr'] as const) {
    t.deepEqual(new Set(targets.map((x) => outcome(actor(role), x))), new Set([NA]), role);
  }
});

test('only unscoped assignments give the power to impersonate', (t) => {
  const scopedAdmin = actor('individual', {
    assignments: [{ role: 'admin', accountId: 'acme', accountGroupId: null }],
  });
  const groupAdmin = actor('individual', {
    assignments: [{ role: 'super_admin', accountId: null, accountGroupId: 'group' }],
  });
  const unscopedAdmin = actor('individual', {
    assignments: [{ role: 'admin', accountId: null, accountGroupId: null }],
  });
  t.is(impersonatorRole(scopedAdmin), 'individual');
  t.is(outcome(scopedAdmin, target('individual')), NA);
  t.is(outcome(groupAdmin, target('individual')), NA);
  t.is(impersonatorRole(unscopedAdmin), 'admin');
  t.is(outcome(unscopedAdmin, target('individual')), OK);
  t.is(outcome(unscopedAdmin, target('hr')), FT);
});

test('the main role counts as an unscoped role', (t) => {
  t.is(impersonatorRole(actor('super_admin', { assignments: [] })), 'super_admin');
  t.is(outcome(actor('super_admin', { assignments: [] }), target('admin')), OK);
});

test('any assignment, scoped or not, protects the target', (t) => {
  const scopedAdmin = target('individual', { roleNames: ['individual', 'admin'] });
  t.is(protectedRole(scopedAdmin), 'admin');
  t.is(outcome(actor('admin'), scopedAdmin), FT);
  t.is(outcome(actor('super_admin'), scopedAdmin), OK);
  const anySuper = target('manager', { roleNames: ['manager', 'super_admin'] });
  t.is(outcome(actor('super_admin'), anySuper), FT);
  t.is(protectedRole(target('hr', { roleNames: [] })), 'hr', 'the main role counts without an assignment row');
});

test('refusal order: self before role and status; role before status (nothing learnt of users out of reach)', (t) => {
  t.is(outcome(actor('super_admin'), target('super_admin', { id: 'actor' })), 'impersonation.self');
  t.is(outcome(actor('admin'), target('super_admin', { status: 'locked' })), 'impersonation.forbidden_target');
  t.is(outcome(actor('admin'), target('hr', { status: 'inactive' })), 'impersonation.forbidden_target');
  t.is(outcome(actor('admin'), target('manager', { status: 'inactive' })), 'impersonation.target_cannot_sign_in');
});
