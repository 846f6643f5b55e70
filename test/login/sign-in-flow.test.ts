import test from 'ava';
import { nextStep } from '../../src/login/sign-in-flow.js';

const none = { justEnrolled: false };

test('a password alone is enough when no second factor is required or enrolled', (t) => {
  t.is(nextStep(['pwd'], 'none', none), 'done');
});

test('a password leads to the second factor the user has, or to enrolment', (t) => {
  t.is(nextStep(['pwd'], 'verify', none), 'verify');
  t.is(nextStep(['pwd'], 'enrol', none), 'enrol');
});

test('two factors finish the sign-in whatever the requirement', (t) => {
  for (const requirement of ['none', 'verify', 'enrol'] as const) {
    t.is(nextStep(['pwd', 'otp'], requirement, none), 'done');
    t.is(nextStep(['pwd', 'hwk'], requirement, none), 'done');
    t.is(nextStep(['hwk', 'user'], requirement, none), 'done');
  }
});

test('a passkey without user verification is one factor', (t) => {
  t.is(nextStep(['hwk'], 'enrol', none), 'enrol');
  t.is(nextStep(['hwk'], 'none', none), 'done');
});

test('a fresh enrolment shows new recovery codes once', (t) => {
  t.is(nextStep(['pwd', 'otp'], 'enrol', { justEnrolled: true }), 'recovery_codes');
  t.is(nextStep(['pwd', 'otp'], 'verify', { justEnrolled: false }), 'done');
});

test('the organisation’s sign-in is one factor, two with its own MFA (when trusted) or Gatehouse’s', (t) => {
  t.is(nextStep(['fed'], 'verify', none), 'verify');
  t.is(nextStep(['fed'], 'enrol', none), 'enrol');
  t.is(nextStep(['fed'], 'none', none), 'done');
  for (const requirement of ['none', 'verify', 'enrol'] as const) {
    t.is(nextStep(['fed', 'mfa'], requirement, none), 'done');
    t.is(nextStep(['fed', 'otp'], requirement, none), 'done');
  }
  // `mfa` alone is only the federated strategy's word: it never stands without `fed`.
  t.is(nextStep(['pwd', 'mfa'], 'verify', none), 'verify');
});
