import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Checkbox, Form, Label, TextArea, TextField } from 'react-aria-components';
import { ApiError, api } from '../../api';
import { FormDialog } from '../../components/confirm-dialog';
import { Choice, ErrorNote, TextInput } from '../../components/fields';
import { notify } from '../../components/toasts';
import { useMe } from '../../me';
import { nameOf, ROLES, type Role, type User } from '../../types';
import { roleLabel } from './labels';

/** As the API bounds it (services/invitations.ts INVITATION_MESSAGE_MAX). */
const MESSAGE_MAX = 1000;

/** Errors the form shows on a field rather than above it. */
const FIELD_OF: Record<string, 'email'> = { 'user.email_taken': 'email' };

/** **Add user**: email, names, role, and an invitation with an optional personal message. */
export function AddUser() {
  const { can, permissions } = useMe();
  const [open, setOpen] = useState(false);
  if (!can('users.create')) return null;
  // A role up to the administrator's own (the API refuses a higher one).
  const own = permissions ? ROLES.indexOf(permissions.role) : 0;
  const roles = ROLES.filter((_, i) => i <= own);
  return (
    <>
      <Button className="primary" onPress={() => setOpen(true)}>
        Add user
      </Button>
      {open && <AddUserForm roles={roles} onClose={() => setOpen(false)} />}
    </>
  );
}

function AddUserForm(props: { roles: readonly Role[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [givenName, setGivenName] = useState('');
  const [familyName, setFamilyName] = useState('');
  const [role, setRole] = useState<Role>('individual');
  const [invite, setInvite] = useState(true);
  const [message, setMessage] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api<User>('/users', {
        method: 'POST',
        body: {
          email: email.trim() || null,
          givenName: givenName.trim() || null,
          familyName: familyName.trim() || null,
          mainRole: role,
          invite,
          ...(invite && message.trim() ? { message: message.trim() } : {}),
        },
      }),
    onSuccess: (user) => {
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      notify.success(`${nameOf(user)} added`, invite ? 'The invitation is on its way.' : undefined);
      props.onClose();
    },
  });
  const error = create.error instanceof ApiError ? create.error : null;
  const onField = error && FIELD_OF[error.code];

  return (
    <FormDialog isOpen title="Add user" onClose={props.onClose}>
      <Form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <TextInput
          label="Email"
          type="email"
          value={email}
          onChange={setEmail}
          isRequired={invite}
          autoComplete="off"
          errorMessage={onField === 'email' ? error?.message : undefined}
        />
        <TextInput label="Given name" value={givenName} onChange={setGivenName} autoComplete="off" />
        <TextInput label="Family name" value={familyName} onChange={setFamilyName} autoComplete="off" />
        <Choice
          label="Role"
          value={role}
          options={props.roles.map((r) => ({ id: r, label: roleLabel(r) }))}
          onChange={setRole}
        />
        <Checkbox className="checkbox" isSelected={invite} onChange={setInvite}>
          <span className="checkbox-box" aria-hidden="true" />
          Send invitation
        </Checkbox>
        {invite && (
          <TextField className="field" value={message} onChange={setMessage} maxLength={MESSAGE_MAX}>
            <Label>Personal message (optional)</Label>
            <TextArea rows={3} />
          </TextField>
        )}
        {!onField && <ErrorNote error={create.error} />}
        <div className="actions">
          <Button onPress={props.onClose}>Cancel</Button>
          <Button type="submit" className="primary" isDisabled={create.isPending}>
            Create
          </Button>
        </div>
      </Form>
    </FormDialog>
  );
}
