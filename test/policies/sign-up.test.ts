import test from 'ava';
import type { SelfRegistration } from '../../src/domain/settings.js';
import { evaluateSignUp, statusAfterSignUp, type SignUpForm, type SignUpRefusal } from '../../src/policies/sign-up.js';

const ON: SelfRegistration = { enabled: true, approval: 'required', allowedDomains: [] };
const form = (email: string, givenName = 'Ada', familyName = 'Lovelace'): SignUpForm => ({
  email,
  givenName,
  familyName,
});

test('what a sign-up may be: on, a mailable address, both names, an allowed domain', (t) => {
  const table: [SignUpForm, SelfRegistration, SignUpRefusal['code'] | null][] = [
    [form('ada@example.com'), ON, null],
    [form('  ada@example.com  '), ON, null],
    [form('ada@example.com'), { ...ON, enabled: false }, 'sign_up.disabled'],
    [form('ada'), ON, 'sign_up.invalid_email'],
    [form('ada@localhost'), ON, 'sign_up.invalid_email'],
    [form('ada@@example.com'), ON, 'sign_up.invalid_email'],
    [form('ada lovelace@example.com'), ON, 'sign_up.invalid_email'],
    [form(`${'a'.repeat(250)}@example.com`), ON, 'sign_up.invalid_email'],
    [form('ada@example.com', ' '), ON, 'sign_up.name_required'],
    [form('ada@example.com', 'Ada', ''), ON, 'sign_up.name_required'],
    [form('ada@example.com', 'A'.repeat(201)), ON, 'sign_up.name_required'],
    [form('ada@example.com'), { ...ON, allowedDomains: ['example.org'] }, 'sign_up.domain_not_allowed'],
    // Exact domains: a subdomain, or a domain that merely ends the same, is another domain.
    [form('ada@mail.example.org'), { ...ON, allowedDomains: ['example.org'] }, 'sign_up.domain_not_allowed'],
    [form('ada@badexample.org'), { ...ON, allowedDomains: ['example.org'] }, 'sign_up.domain_not_allowed'],
    [form('ada@Example.ORG'), { ...ON, allowedDomains: ['example.net', 'example.org'] }, null],
  ];
  for (const [input, settings, expected] of table)
    t.is(evaluateSignUp(input, settings)?.code ?? null, expected, `${input.email} ${JSON.stringify(settings)}`);
});

test('a refused domain names the allowed ones', (t) => {
  t.deepEqual(evaluateSignUp(form('ada@example.com'), { ...ON, allowedDomains: ['example.org', 'example.net'] }), {
    code: 'sign_up.domain_not_allowed',
    domains: ['example.org', 'example.net'],
  });
});

test('a confirmed sign-up is pending until approved, or active without approval', (t) => {
  t.is(statusAfterSignUp({ approval: 'required' }), 'pending');
  t.is(statusAfterSignUp({ approval: 'none' }), 'active');
});
