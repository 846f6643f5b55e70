import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import type { CharacterClass, Settings } from '../../../../src/domain/settings.js';
import { MAIL_LANGUAGES } from '../../../../src/domain/mail-templates.js';
import { REQUIRABLE_FIELDS } from '../../../../src/domain/user-record.js';
import { api } from '../../api';
import { CheckField, CheckList } from '../../components/check-fields';
import { Choice, ErrorNote, TextInput } from '../../components/fields';
import { linesOf, TextAreaInput } from '../../components/text-area';
import { ROLES } from '../../types';
import { useChange } from '../../use-change';
import { LANGUAGE_NAMES, ROLE_NAMES } from './names';

const CLASSES: { id: CharacterClass; label: string }[] = [
  { id: 'lower', label: 'Lower-case letter' },
  { id: 'upper', label: 'Upper-case letter' },
  { id: 'digit', label: 'Digit' },
  { id: 'symbol', label: 'Symbol' },
];
const FIELD_NAMES: Record<(typeof REQUIRABLE_FIELDS)[number], string> = {
  email: 'Email',
  givenName: 'Given name',
  familyName: 'Family name',
  middleName: 'Middle name',
  displayName: 'Display name',
  title: 'Title',
  mainAccount: 'Main account',
  externalId: 'External ID',
  jobTitle: 'Job title',
  department: 'Department',
  division: 'Division',
  costCenter: 'Cost centre',
  employeeNumber: 'Employee number',
  preferredLanguage: 'Preferred language',
  locale: 'Locale',
  timezone: 'Time zone',
  phoneNumbers: 'Phone number',
  addresses: 'Address',
};

/** The settings as the form holds them: numbers as typed. */
function draftOf(s: Settings) {
  return {
    minLength: String(s.passwordPolicy.minLength),
    maxLength: String(s.passwordPolicy.maxLength),
    requireClasses: s.passwordPolicy.requireClasses,
    history: String(s.passwordPolicy.history),
    maxAttempts: String(s.lockout.maxAttempts),
    minutes: String(s.lockout.minutes),
    mfaRoles: s.mfa.requiredRoles,
    requiredFields: s.requiredFields,
    signUp: s.selfRegistration.enabled,
    approval: s.selfRegistration.approval,
    domains: s.selfRegistration.allowedDomains.join('\n'),
    defaultLanguage: s.defaultLanguage,
  };
}
type Draft = ReturnType<typeof draftOf>;

const patchOf = (d: Draft) => ({
  passwordPolicy: {
    minLength: Number(d.minLength),
    maxLength: Number(d.maxLength),
    requireClasses: d.requireClasses,
    history: Number(d.history),
  },
  lockout: { maxAttempts: Number(d.maxAttempts), minutes: Number(d.minutes) },
  mfa: { requiredRoles: d.mfaRoles },
  requiredFields: d.requiredFields,
  selfRegistration: { enabled: d.signUp, approval: d.approval, allowedDomains: linesOf(d.domains, /[\s,]+/) },
  defaultLanguage: d.defaultLanguage,
});

/** Password policy, lockout, MFA-required roles, required fields, self-registration, default language. */
export function SecuritySettings() {
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => api<Settings>('/settings') });
  if (settings.error) return <ErrorNote error={settings.error} />;
  if (!settings.data) return <p>Loading…</p>;
  return <SecurityForm initial={settings.data} />;
}

function SecurityForm({ initial }: { initial: Settings }) {
  const [draft, setDraft] = useState(() => draftOf(initial));
  const set =
    <K extends keyof Draft>(key: K) =>
    (value: Draft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const save = useChange((d: Draft) => api<Settings>('/settings', { method: 'PUT', body: patchOf(d) }), {
    invalidate: [['settings']],
    success: () => 'Settings saved: in force now',
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(draft);
  };
  return (
    <Form onSubmit={submit} className="settings-form">
      <fieldset>
        <legend>Password policy</legend>
        <TextInput label="Minimum length" type="number" value={draft.minLength} onChange={set('minLength')} />
        <TextInput label="Maximum length" type="number" value={draft.maxLength} onChange={set('maxLength')} />
        <CheckList
          label="Required character classes"
          options={CLASSES}
          value={draft.requireClasses}
          onChange={set('requireClasses')}
        />
        <TextInput
          label="Password history"
          type="number"
          value={draft.history}
          onChange={set('history')}
          description="How many earlier passwords may not be used again (0: none)"
        />
      </fieldset>
      <fieldset>
        <legend>Lockout</legend>
        <TextInput
          label="Failed attempts before lockout"
          type="number"
          value={draft.maxAttempts}
          onChange={set('maxAttempts')}
        />
        <TextInput
          label="Lockout minutes"
          type="number"
          value={draft.minutes}
          onChange={set('minutes')}
          description="0: locked until a password reset"
        />
      </fieldset>
      <fieldset>
        <legend>Multi-factor authentication</legend>
        <CheckList
          label="Roles that must use MFA"
          options={ROLES.map((r) => ({ id: r, label: ROLE_NAMES[r] }))}
          value={draft.mfaRoles}
          onChange={set('mfaRoles')}
        />
      </fieldset>
      <fieldset>
        <legend>User record</legend>
        <CheckList
          label="Required fields"
          description="Every way of writing a user (console, API, import, SCIM) requires them"
          options={REQUIRABLE_FIELDS.map((f) => ({ id: f, label: FIELD_NAMES[f] }))}
          value={draft.requiredFields}
          onChange={set('requiredFields')}
        />
      </fieldset>
      <fieldset>
        <legend>Self-registration</legend>
        <CheckField label='Allow "Create an account"' isSelected={draft.signUp} onChange={set('signUp')} />
        <Choice
          label="Approval"
          value={draft.approval}
          onChange={set('approval')}
          options={[
            { id: 'required', label: 'An administrator approves each new account' },
            { id: 'none', label: 'None: active once the email is confirmed' },
          ]}
        />
        <TextAreaInput
          label="Allowed email domains"
          value={draft.domains}
          onChange={set('domains')}
          rows={3}
          description="One per line; none: any domain"
        />
      </fieldset>
      <fieldset>
        <legend>Mail</legend>
        <Choice
          label="Default language"
          value={draft.defaultLanguage}
          onChange={set('defaultLanguage')}
          options={MAIL_LANGUAGES.map((l) => ({ id: l, label: LANGUAGE_NAMES[l] }))}
        />
      </fieldset>
      <ErrorNote error={save.error} />
      <div className="actions">
        <Button type="submit" className="primary" isDisabled={save.isPending}>
          Save settings
        </Button>
      </div>
    </Form>
  );
}
