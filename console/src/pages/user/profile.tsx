import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { api, ApiError } from '../../api';
import { CheckboxField } from '../../components/checkbox-field';
import { Choice, ErrorNote, TextInput } from '../../components/fields';
import type { Address, CustomField, PhoneNumber, RecordView, UserDetails } from './model';
import { useUserChange, userKey } from './model';

/** The record's own text fields, as the profile form shows them. */
const FIELDS = [
  ['givenName', 'Given name'],
  ['middleName', 'Middle name'],
  ['familyName', 'Family name'],
  ['displayName', 'Display name'],
  ['email', 'Email'],
  ['userCode', 'User ID'],
  ['preferredLanguage', 'Language'],
  ['timezone', 'Time zone'],
  ['jobTitle', 'Job title'],
  ['department', 'Department'],
] as const;
type Field = (typeof FIELDS)[number][0];
/** Changed only with users.identifiers (hr and above). */
const IDENTIFIERS: Field[] = ['email', 'userCode'];

type Draft = {
  fields: Record<Field, string>;
  phones: { key: number; value: string; type: string }[];
  addresses: {
    key: number;
    streetAddress: string;
    postalCode: string;
    locality: string;
    region: string;
    country: string;
  }[];
  custom: Record<string, string | boolean>;
};
const ADDRESS_PARTS = [
  ['streetAddress', 'Street'],
  ['postalCode', 'Postal code'],
  ['locality', 'City'],
  ['region', 'Region'],
  ['country', 'Country'],
] as const;

/** A row's stable identity while it is edited. */
let rows = 0;
const rowKey = () => ++rows;
const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const orNull = (v: string) => (v.trim() === '' ? null : v.trim());

function draftOf(user: UserDetails['user'], fields: CustomField[]): Draft {
  return {
    fields: Object.fromEntries(FIELDS.map(([key]) => [key, text(user[key])])) as Record<Field, string>,
    phones: user.phoneNumbers.map((p) => ({ key: rowKey(), value: p.value, type: text(p.type) })),
    addresses: user.addresses.map((a) => ({
      key: rowKey(),
      streetAddress: text(a.streetAddress),
      postalCode: text(a.postalCode),
      locality: text(a.locality),
      region: text(a.region),
      country: text(a.country),
    })),
    custom: Object.fromEntries(
      fields.map((f) => {
        const v = user.customAttributes[f.key];
        return [f.key, f.type === 'boolean' ? v === true : text(v)];
      }),
    ),
  };
}

/** The PATCH body: only what changed (the first phone and address are the primary ones). */
function changesOf(user: UserDetails['user'], fields: CustomField[], draft: Draft) {
  const body: Record<string, unknown> = {};
  for (const [key] of FIELDS) if (draft.fields[key].trim() !== text(user[key])) body[key] = orNull(draft.fields[key]);
  const phones: Partial<PhoneNumber>[] = draft.phones
    .filter((p) => p.value.trim())
    .map((p, i) => ({ value: p.value.trim(), type: orNull(p.type), primary: i === 0 }));
  const samePhones =
    JSON.stringify(phones.map((p) => [p.value, p.type])) ===
    JSON.stringify(user.phoneNumbers.map((p) => [p.value, p.type]));
  if (!samePhones) body.phoneNumbers = phones;
  const addresses: Partial<Address>[] = draft.addresses
    .map((a, i) => ({
      streetAddress: orNull(a.streetAddress),
      postalCode: orNull(a.postalCode),
      locality: orNull(a.locality),
      region: orNull(a.region),
      country: orNull(a.country),
      primary: i === 0,
    }))
    .filter((a) => ADDRESS_PARTS.some(([k]) => a[k]));
  const parts = (a: Partial<Address>) => ADDRESS_PARTS.map(([k]) => a[k] ?? null);
  if (JSON.stringify(addresses.map(parts)) !== JSON.stringify(user.addresses.map(parts))) body.addresses = addresses;
  const custom: Record<string, unknown> = { ...user.customAttributes };
  for (const f of fields) {
    const v = draft.custom[f.key];
    if (f.type === 'boolean') custom[f.key] = v === true;
    else if (typeof v === 'string' && v.trim() === '') delete custom[f.key];
    else custom[f.key] = f.type === 'number' ? Number(v) : String(v).trim();
  }
  if (JSON.stringify(custom) !== JSON.stringify(user.customAttributes)) body.customAttributes = custom;
  return body;
}

/** Profile: names, email, User ID, language, time zone, job title, phones, addresses, custom fields. */
export function ProfileSection({ record }: { record: RecordView }) {
  const custom = useQuery({
    queryKey: ['custom-fields'],
    queryFn: () => api<{ items: CustomField[] }>('/custom-fields'),
    staleTime: 60_000,
  });
  if (custom.isPending) return <p>Loading…</p>;
  // A new version (saved, or read again) starts the form afresh.
  return <ProfileForm key={record.details.user.version} record={record} fields={custom.data?.items ?? []} />;
}

function ProfileForm({ record, fields }: { record: RecordView; fields: CustomField[] }) {
  const { user } = record.details;
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(() => draftOf(user, fields));
  const editable = record.may('users.edit');
  const save = useUserChange(
    record.id,
    (body: Record<string, unknown>) =>
      api(`/users/${record.id}`, { method: 'PATCH', body, headers: { 'if-match': `W/"${user.version}"` } }),
    'Profile saved',
  );
  const stale = save.error instanceof ApiError && save.error.code === 'user.version_mismatch';
  const set = (change: (d: Draft) => Draft) => setDraft((d) => change(structuredClone(d)));
  const setPhone = (i: number, patch: Partial<Draft['phones'][number]>) =>
    setDraft((d) => ({ ...d, phones: d.phones.map((p, j) => (j === i ? { ...p, ...patch } : p)) }));
  const setAddress = (i: number, patch: Partial<Draft['addresses'][number]>) =>
    setDraft((d) => ({ ...d, addresses: d.addresses.map((a, j) => (j === i ? { ...a, ...patch } : a)) }));

  return (
    <Form
      className="profile-form"
      onSubmit={(e) => {
        e.preventDefault();
        const body = changesOf(user, fields, draft);
        if (Object.keys(body).length > 0) save.mutate(body);
      }}
    >
      <h2>Profile</h2>
      <div className="form-grid">
        {FIELDS.map(([key, label]) => (
          <TextInput
            key={key}
            label={label}
            type={key === 'email' ? 'email' : 'text'}
            value={draft.fields[key]}
            isDisabled={!editable || (IDENTIFIERS.includes(key) && !record.can('users.identifiers'))}
            description={
              key === 'preferredLanguage'
                ? 'A language tag: en, fr-CA…'
                : key === 'timezone'
                  ? 'A time zone: Europe/Paris…'
                  : undefined
            }
            onChange={(v) =>
              set((d) => {
                d.fields[key] = v;
                return d;
              })
            }
          />
        ))}
      </div>

      <h3>Phone numbers</h3>
      {draft.phones.length === 0 && <p className="muted">No phone numbers.</p>}
      {draft.phones.map((p, i) => (
        <div className="form-row" key={p.key}>
          <TextInput
            label={`Phone ${i + 1}`}
            type="tel"
            value={p.value}
            isDisabled={!editable}
            description={i === 0 ? 'The first is the primary one' : undefined}
            onChange={(v) => setPhone(i, { value: v })}
          />
          <TextInput
            label={`Phone ${i + 1} type`}
            value={p.type}
            isDisabled={!editable}
            description="work, mobile, home…"
            onChange={(v) => setPhone(i, { type: v })}
          />
          {editable && (
            <Button onPress={() => set((d) => ({ ...d, phones: d.phones.filter((_, j) => j !== i) }))}>
              Remove phone {i + 1}
            </Button>
          )}
        </div>
      ))}
      {editable && (
        <Button onPress={() => set((d) => ({ ...d, phones: [...d.phones, { key: rowKey(), value: '', type: '' }] }))}>
          Add phone
        </Button>
      )}

      <h3>Addresses</h3>
      {draft.addresses.length === 0 && <p className="muted">No addresses.</p>}
      {draft.addresses.map((a, i) => (
        <fieldset className="form-row" key={a.key}>
          <legend>
            Address {i + 1}
            {i === 0 ? ' (primary)' : ''}
          </legend>
          {ADDRESS_PARTS.map(([part, label]) => (
            <TextInput
              key={part}
              label={`${label} (address ${i + 1})`}
              value={a[part]}
              isDisabled={!editable}
              description={part === 'country' ? 'Two letters: FR, GB…' : undefined}
              onChange={(v) => setAddress(i, { [part]: v })}
            />
          ))}
          {editable && (
            <Button onPress={() => set((d) => ({ ...d, addresses: d.addresses.filter((_, j) => j !== i) }))}>
              Remove address {i + 1}
            </Button>
          )}
        </fieldset>
      ))}
      {editable && (
        <Button
          onPress={() =>
            set((d) => ({
              ...d,
              addresses: [
                ...d.addresses,
                { key: rowKey(), streetAddress: '', postalCode: '', locality: '', region: '', country: '' },
              ],
            }))
          }
        >
          Add address
        </Button>
      )}

      {fields.length > 0 && <h3>Custom fields</h3>}
      <div className="form-grid">
        {fields.map((f) => {
          const value = draft.custom[f.key];
          const onChange = (v: string | boolean) =>
            set((d) => {
              d.custom[f.key] = v;
              return d;
            });
          if (f.type === 'boolean')
            return (
              <CheckboxField
                key={f.key}
                label={f.label}
                isSelected={value === true}
                isDisabled={!editable}
                onChange={onChange}
              />
            );
          if (f.type === 'option')
            return (
              <Choice
                key={f.key}
                label={f.label}
                value={typeof value === 'string' && value ? value : null}
                options={f.options.map((o) => ({ id: o, label: o }))}
                isDisabled={!editable}
                onChange={onChange}
              />
            );
          return (
            <TextInput
              key={f.key}
              label={f.label}
              type={f.type === 'text' ? 'text' : f.type}
              value={String(value ?? '')}
              isRequired={f.required}
              isDisabled={!editable}
              onChange={onChange}
            />
          );
        })}
      </div>

      {stale ? (
        <div role="alert" className="error-note">
          <p>
            Someone else changed this user after you opened the record. Your changes are not saved: reload the record,
            then make them again.
          </p>
          <Button onPress={() => void queryClient.invalidateQueries({ queryKey: userKey(record.id) })}>
            Reload record
          </Button>
        </div>
      ) : (
        save.error && <ErrorNote error={save.error} />
      )}
      {editable && (
        <div className="actions">
          <Button type="submit" className="primary" isDisabled={save.isPending}>
            Save profile
          </Button>
        </div>
      )}
    </Form>
  );
}
