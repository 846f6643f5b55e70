import test from 'ava';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';

/*
 * GET /users/{id}/impersonation: whether "Log in as user" would be allowed now, with the
 * reason POST /impersonation would give, and nothing started.
 */
const s = adminServerPerFile(test);
const admin = signedInPerFile(test, s, 'admin');
const superAdmin = signedInPerFile(test, s, 'super_admin');

test('allowed: an admin may act as an active individual; asking starts nothing and records nothing', async (t) => {
  const target = await s.server.createUser({ role: 'individual' });
  const res = await admin.api('GET', `/users/${target.id}/impersonation`);
  t.is(res.status, 200, JSON.stringify(res.body));
  t.deepEqual(res.body, { allowed: true, reason: null, message: null });
  t.is((await auditEvents(s.server, { target_id: target.id }).where('action', 'like', 'impersonation.%')).length, 0);
  t.is((await s.server.db('impersonations').where({ target_id: target.id })).length, 0);
  // And POST agrees.
  t.is((await admin.api('POST', '/impersonation', { userId: target.id })).status, 201);
});

test('refused with the reason POST /impersonation gives: role out of reach, status, oneself', async (t) => {
  const hr = await s.server.createUser({ role: 'hr' });
  const locked = await s.server.createUser({ role: 'individual', status: 'locked' });
  const cases: [string, string, string][] = [
    [hr.id, 'impersonation.forbidden_target', 'Your role may not impersonate users with this role.'],
    [locked.id, 'impersonation.target_cannot_sign_in', 'This user may not sign in, so they cannot be impersonated.'],
    [admin.id, 'impersonation.self', 'You cannot impersonate yourself.'],
  ];
  for (const [id, reason, message] of cases) {
    const res = await admin.api('GET', `/users/${id}/impersonation`);
    t.is(res.status, 200, JSON.stringify(res.body));
    t.deepEqual(res.body, { allowed: false, reason, message });
    const posted = await admin.api('POST', '/impersonation', { userId: id });
    t.is(posted.body.error, reason, 'the same refusal as POST');
  }
  // A super admin reaches the hr user.
  t.deepEqual((await superAdmin.api('GET', `/users/${hr.id}/impersonation`)).body.allowed, true);
});

test('someone who may not impersonate learns nothing about the target: not_allowed, even for no such user', async (t) => {
  const hr = await s.as('hr');
  const target = await s.server.createUser({ role: 'individual' });
  for (const id of [target.id, '00000000-0000-4000-8000-000000000000']) {
    const res = await hr.api('GET', `/users/${id}/impersonation`);
    t.is(res.status, 200);
    t.deepEqual(res.body, {
      allowed: false,
      reason: 'impersonation.not_allowed',
      message: 'You may not impersonate this user.',
    });
  }
  // To someone who may, an unknown user is a 404, as on POST.
  const missing = await admin.api('GET', '/users/00000000-0000-4000-8000-000000000000/impersonation');
  t.is(missing.status, 404);
  t.is(missing.body.error, 'impersonation.unknown_target');
});
