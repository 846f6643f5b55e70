import test, { type ExecutionContext } from 'ava';
import type { Page } from 'playwright-core';
import type { Operator } from '../../src/domain/operator.js';
import { CLI_ACTOR } from '../../src/services/audit.js';
import { auditEvents } from '../helpers/audit.js';
import { axeViolations, cspViolations, consolePerFile } from '../helpers/console.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD } from '../helpers/server.js';

/*
 * Issue 15 workflows 2 and 4 in Chromium: a user's record (its sections, edits, security
 * actions, Log in as user) and the status changes, each confirmed in a dialog.
 */
const c = consolePerFile(test);

/** Arranging data as the CLI would (a super admin's powers). */
const OP: Operator = { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin', scope: { all: true } } };
const admin = () => c.server.container.admin;
const db = () => c.server.db;
let n = 0;
const unique = (s: string) => `${s} ${++n}-${Math.random().toString(36).slice(2, 6)}`;

async function person(
  role: 'individual' | 'manager' | 'hr' | 'admin' | 'super_admin' = 'individual',
  status = 'active',
) {
  const familyName = unique('Lovelace').replaceAll(' ', '');
  const u = await c.server.createUser({ role, givenName: 'Ada', familyName, status: status as 'active' });
  return { ...u, name: `Ada ${familyName}` };
}

async function openRecord(page: Page, id: string, tab?: string) {
  await page.goto(`${c.server.url}/admin/users/${id}${tab ? `?tab=${tab}` : ''}`, { waitUntil: 'commit' });
  await page.locator('h1').waitFor();
}

/** The user's live Gatehouse sessions. */
const sessionsOf = async (id: string) =>
  (await db()('oidc_payloads').where({ kind: 'Session' })).filter((r) => r.payload.accountId === id);

/** Signs the user in to an application (a Gatehouse session and tokens). */
async function signInElsewhere(who: { email: string }): Promise<string> {
  const client = await c.server.createClient({ clientId: `app-${++n}` });
  const rp = await relyingParty(c.server, client);
  await rp.signIn({ username: who.email, password: PASSWORD }, { scope: 'openid' });
  return client.clientId;
}

/** Polls until `check` holds (the UI and the server catch up), then asserts it. */
async function eventually(t: ExecutionContext, check: () => Promise<boolean>, message: string) {
  const deadline = Date.now() + 15_000;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.true(await check(), message);
}

const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test.serial(
  'each section shows the user: profile, employment, roles, management, groups, licences, security, sign-ins, audit; axe-clean at 375 px',
  async (t) => {
    const target = await person('individual');
    const account = await admin().accounts.create({ name: unique('Acme'), kind: 'customer' }, OP);
    const managed = await admin().accounts.create({ name: unique('Globex'), kind: 'customer' }, OP);
    const group = await admin().groups.create({ displayName: unique('Pilots') }, OP);
    const key = `pro-${++n}`;
    await admin().licences.createType({ key, name: unique('Pro') }, OP);
    const fieldKey = `badge${++n}`;
    await admin().customFields.create(
      { key: fieldKey, label: unique('Badge number'), type: 'text', options: [], required: false, claim: false },
      OP,
    );
    await admin().users.update(
      target.id,
      {
        jobTitle: 'Engineer',
        timezone: 'Europe/Paris',
        preferredLanguage: 'fr',
        phoneNumbers: [{ value: '+33 1 23 45 67 89', type: 'work', display: null, primary: true }],
        addresses: [
          {
            type: 'work',
            primary: true,
            formatted: null,
            streetAddress: '1 Rue de Rivoli',
            locality: 'Paris',
            region: null,
            postalCode: '75001',
            country: 'FR',
          },
        ],
        customAttributes: { [fieldKey]: 'B-42' },
      },
      undefined,
      OP,
    );
    await admin().relations.setEmployments(
      target.id,
      [{ accountId: account.id, startDate: '2024-01-15', endDate: null, isMain: true }],
      OP,
    );
    await admin().relations.setManagedScopes(target.id, { accountIds: [managed.id], accountGroupIds: [] }, OP);
    await admin().relations.setGroups(target.id, [group.id], OP);
    await admin().licences.assign(target.id, key, OP);
    const app = await signInElsewhere(target);

    const { page } = await c.signIn('super_admin', { viewport: { width: 375, height: 800 } });
    await openRecord(page, target.id);
    await page.getByRole('heading', { name: target.name, level: 1 }).waitFor();
    const tabs = page.getByRole('tablist', { name: 'Sections of the record' });
    const expect: [string, string[]][] = [
      ['Profile', []],
      ['Employment', [account.name, 'Main account']],
      ['Roles', ['Individual', `Account ${managed.name}`]],
      ['Management', [`Account ${managed.name}`]],
      ['Groups', [group.displayName]],
      ['Licences', []],
      ['Security', ['Last sign-in']],
      ['Sign-ins', ['Succeeded', app]],
      ['Audit trail', ['user.updated', 'jobTitle: (none) → Engineer']],
    ];
    for (const [tab, texts] of expect) {
      await tabs.getByRole('tab', { name: tab, exact: true }).click();
      const panel = page.getByRole('tabpanel');
      for (const text of texts) await panel.getByText(text, { exact: false }).first().waitFor();
      if (tab === 'Profile') {
        t.is(await panel.getByLabel('Job title').inputValue(), 'Engineer');
        t.is(await panel.getByLabel('Email').inputValue(), target.email);
        t.is(await panel.getByLabel('User ID').inputValue(), target.userCode);
        t.is(await panel.getByLabel('Language').inputValue(), 'fr');
        t.is(await panel.getByLabel('Time zone').inputValue(), 'Europe/Paris');
        t.is(await panel.getByLabel('Phone 1', { exact: true }).inputValue(), '+33 1 23 45 67 89');
        t.is(await panel.getByLabel('City (address 1)').inputValue(), 'Paris');
        t.is(await panel.getByLabel(/^Badge number/).inputValue(), 'B-42');
      }
      if (tab === 'Licences') await panel.getByRole('list', { name: 'Licences held' }).getByText(/^Pro/).waitFor();
      if (tab === 'Security') t.is(await panel.getByRole('table', { name: 'Sessions' }).locator('tbody tr').count(), 1);
      t.deepEqual(await axeViolations(page), [], `axe on ${tab}`);
      const overflow = await noOverflow(page);
      t.true(overflow <= 0, `${tab}: the page is ${overflow}px wider than the screen`);
    }
    t.deepEqual(await cspViolations(page), []);
  },
);

test.serial('the sections are reached with the keyboard: arrow keys move between tabs', async (t) => {
  const target = await person();
  const { page } = await c.signIn('admin');
  await openRecord(page, target.id);
  await page.getByRole('tab', { name: 'Profile' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Employment', level: 2 }).waitFor();
  t.is(await page.getByRole('tab', { name: 'Employment' }).getAttribute('aria-selected'), 'true');
  t.regex(page.url(), /tab=employment/);
});

test.serial('a profile edit saves with the version read; a stale version shows the conflict and reloads', async (t) => {
  const target = await person();
  const { page } = await c.signIn('hr');
  await openRecord(page, target.id);
  const panel = page.getByRole('tabpanel');
  await panel.getByLabel('Job title').fill('Pilot');
  await panel.getByRole('button', { name: 'Add phone' }).click();
  await panel.getByLabel('Phone 1', { exact: true }).fill('+44 20 7946 0000');
  await panel.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Profile saved').waitFor();
  await eventually(
    t,
    async () => (await c.server.repos.users.findById(target.id))?.jobTitle === 'Pilot',
    'the job title is stored',
  );
  const phones = await db()('user_values').where({ user_id: target.id });
  t.true(JSON.stringify(phones).includes('+44 20 7946 0000'), 'the phone is stored');

  // Someone else changes the user meanwhile: this page still holds the version it read.
  await page.getByLabel('Job title').waitFor();
  await eventually(t, async () => (await page.getByLabel('Job title').inputValue()) === 'Pilot', 'form shows saved');
  await admin().users.update(target.id, { department: 'Flight ops' }, undefined, OP);
  await panel.getByLabel('Job title').fill('Captain');
  await panel.getByRole('button', { name: 'Save profile' }).click();
  await panel.getByRole('alert').getByText('Someone else changed this user').waitFor();
  t.is((await c.server.repos.users.findById(target.id))?.jobTitle, 'Pilot', 'nothing of the stale edit is written');
  await panel.getByRole('button', { name: 'Reload record' }).click();
  await eventually(
    t,
    async () => (await page.getByLabel('Department').inputValue()) === 'Flight ops',
    "the other person's change is shown",
  );
});

test.serial('employment, roles, managed accounts, groups and licences are changed from their sections', async (t) => {
  const target = await person();
  const first = await admin().accounts.create({ name: unique('Initech'), kind: 'customer' }, OP);
  const second = await admin().accounts.create({ name: unique('Umbrella'), kind: 'provider' }, OP);
  const group = await admin().groups.create({ displayName: unique('Crew') }, OP);
  const key = `seat-${++n}`;
  await admin().licences.createType({ key, name: unique('Seat'), seats: 5 }, OP);
  await admin().relations.setEmployments(
    target.id,
    [{ accountId: first.id, startDate: null, endDate: null, isMain: true }],
    OP,
  );
  const { page } = await c.signIn('super_admin');
  const choose = async (label: string, option: string) => {
    await page
      .getByRole('tabpanel')
      .getByRole('button', { name: new RegExp(`${label}$`) })
      .first()
      .click();
    await page.getByRole('option', { name: option, exact: false }).first().click();
  };

  await openRecord(page, target.id, 'employment');
  await choose('Account', second.name);
  await page.getByLabel('Start date').fill('2025-03-01');
  await page.getByRole('button', { name: 'Add employment' }).click();
  await page.getByRole('button', { name: `Make main: ${second.name}` }).click();
  await eventually(
    t,
    async () => (await c.server.repos.users.findById(target.id))?.mainAccountId === second.id,
    'the second account is main',
  );
  const employment = await db()('employments').where({ user_id: target.id, account_id: second.id }).first();
  t.truthy(employment, 'employed by the second account');

  await openRecord(page, target.id, 'roles');
  await choose('Main role', 'HR');
  await page.getByRole('button', { name: 'Save main role' }).click();
  await eventually(t, async () => (await c.server.repos.users.findById(target.id))?.mainRole === 'hr', 'main role hr');

  await openRecord(page, target.id, 'management');
  await choose('Account or account group', `Account ${first.name}`);
  await page.getByRole('button', { name: 'Add managed account' }).click();
  await page.getByRole('list', { name: 'Accounts managed' }).getByText(`Account ${first.name}`).waitFor();
  t.truthy(await db()('role_assignments').where({ user_id: target.id, account_id: first.id, role: 'manager' }).first());

  await openRecord(page, target.id, 'groups');
  await choose('Group', group.displayName);
  await page.getByRole('button', { name: 'Add to group' }).click();
  await page.getByRole('list', { name: 'Member of' }).getByText(group.displayName).waitFor();

  await openRecord(page, target.id, 'licences');
  await choose('Licence', 'Seat');
  await page.getByRole('button', { name: 'Give licence' }).click();
  await page.getByRole('list', { name: 'Licences held' }).getByText(/^Seat/).waitFor();
  t.truthy(await db()('user_licences').where({ user_id: target.id }).first());
});

/** Presses a status button, reads its dialog, confirms, and waits for the status shown. */
async function changeStatus(t: ExecutionContext, page: Page, button: string, says: string | RegExp, badge: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  t.regex(
    String(await dialog.textContent()),
    typeof says === 'string' ? new RegExp(says) : says,
    `${button}: the dialog says what happens`,
  );
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('.record-facts .badge', { hasText: badge }).waitFor();
}

test.serial(
  'status changes: lock, unlock, deactivate, activate, delete, restore, delete permanently; each asks first and ends sessions where it says so',
  async (t) => {
    const target = await person();
    const { page } = await c.signIn('admin');
    await openRecord(page, target.id);
    t.deepEqual(
      await page.getByRole('button', { name: /^(Activate|Unlock|Restore|Delete permanently)$/ }).count(),
      0,
      'only what applies to an active user',
    );

    await signInElsewhere(target);
    t.is((await sessionsOf(target.id)).length, 1);
    await changeStatus(t, page, 'Lock', 'Their sessions and tokens end now', 'Locked');
    t.is((await c.server.repos.users.findById(target.id))?.status, 'locked');
    await eventually(t, async () => (await sessionsOf(target.id)).length === 0, 'locking ended the session');
    t.is(await page.getByRole('button', { name: 'Lock', exact: true }).count(), 0);

    // Cancel leaves everything as it was.
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    t.is((await c.server.repos.users.findById(target.id))?.status, 'locked');

    await changeStatus(t, page, 'Unlock', 'can sign in again', 'Active');
    await signInElsewhere(target);
    await changeStatus(t, page, 'Deactivate', 'Their sessions and tokens end now', 'Inactive');
    await eventually(t, async () => (await sessionsOf(target.id)).length === 0, 'deactivating ended the session');
    await changeStatus(t, page, 'Activate', 'can sign in again', 'Active');
    await changeStatus(t, page, 'Delete', 'Their sessions and tokens end now', 'Deleted');
    t.is((await c.server.repos.users.findById(target.id))?.status, 'deleted');
    await changeStatus(t, page, 'Restore', 'comes back as inactive', 'Inactive');
    await changeStatus(t, page, 'Delete', 'marked deleted', 'Deleted');

    await page.getByRole('button', { name: 'Delete permanently', exact: true }).click();
    const dialog = page.getByRole('dialog');
    t.regex(String(await dialog.textContent()), /cannot be undone/);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    t.is(await c.server.repos.users.findById(target.id), undefined, 'removed for good');
    const actions = (await auditEvents(c.server, { target_id: target.id }).orderBy('id')).map((e) => e.action);
    t.true(actions.includes('user.removed'));
  },
);

test.serial('anonymise asks first, says it cannot be undone, and erases the names', async (t) => {
  const target = await person();
  const { page } = await c.signIn('admin');
  await openRecord(page, target.id);
  await page.getByRole('button', { name: 'Anonymise', exact: true }).click();
  const dialog = page.getByRole('dialog');
  t.regex(String(await dialog.textContent()), /erased.*cannot be undone/s);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await page.locator('.record-facts .badge', { hasText: 'Inactive' }).waitFor();
  const after = await c.server.repos.users.findById(target.id);
  t.not(after?.familyName, target.name.split(' ')[1]);
  t.not(after?.email, target.email);
  await page.getByRole('heading', { name: target.name }).waitFor({ state: 'detached' });
});

test.serial(
  'security: send password reset mails a link, Reset MFA removes the factors, End all sessions ends them',
  async (t) => {
    const target = await person();
    await signInElsewhere(target);
    await db()('totp_factors').insert({ user_id: target.id, secret_sealed: 'sealed', confirmed_at: new Date() });
    const { page } = await c.signIn('hr');
    await openRecord(page, target.id, 'security');

    await page.getByRole('button', { name: 'Send password reset' }).click();
    await page.getByText(`A password reset link is on its way to ${target.email}`).waitFor();
    const mails = await c.server.repos.outbox.list(10, target.email);
    t.is(mails.length, 1, 'one mail to the user');
    t.regex(mails[0]!.text, /\/password\/reset|reset/i);

    await page.getByRole('button', { name: 'Reset MFA' }).click();
    const mfa = page.getByRole('dialog');
    t.regex(String(await mfa.textContent()), /authenticator app, passkeys and recovery codes are removed/);
    await mfa.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Second factors reset').waitFor();
    t.is((await db()('totp_factors').where({ user_id: target.id })).length, 0);

    const sessions = page.getByRole('table', { name: 'Sessions' });
    t.is(await sessions.locator('tbody tr').count(), 1);
    await page.getByRole('button', { name: 'End all sessions' }).click();
    const end = page.getByRole('dialog');
    t.regex(String(await end.textContent()), /Their sessions and tokens end now/);
    await end.getByRole('button', { name: 'Confirm' }).click();
    await sessions.getByText('No session').waitFor();
    t.is((await sessionsOf(target.id)).length, 0);
  },
);

test.serial('Log in as user opens a tab where Gatehouse acts as the user', async (t) => {
  const target = await person('individual');
  const { page } = await c.signIn('admin');
  await openRecord(page, target.id);
  const button = page.getByRole('button', { name: 'Log in as user' });
  await eventually(t, async () => !(await button.isDisabled()), 'enabled for an individual');
  const [tab] = await Promise.all([page.context().waitForEvent('page'), button.click()]);
  await tab.getByRole('heading', { name: `You are acting as ${target.name}` }).waitFor();
  t.regex(tab.url(), /\/impersonation$/);
  const started = await auditEvents(c.server, { target_id: target.id, action: 'impersonation.started' }).first();
  t.truthy(started, 'the impersonation started');
});

test.serial('Log in as user is disabled with the reason where the rules refuse it', async (t) => {
  const locked = await person('individual', 'locked');
  const peer = await person('admin');
  const { page } = await c.signIn('admin');
  for (const [who, reason] of [
    [locked, 'This user may not sign in, so they cannot be impersonated.'],
    [peer, 'Your role may not impersonate users with this role.'],
  ] as const) {
    await openRecord(page, who.id);
    await page.getByText(reason).waitFor();
    const button = page.getByRole('button', { name: 'Log in as user' });
    t.true(await button.isDisabled());
    const described = await button.getAttribute('aria-describedby');
    t.is(String(await page.locator(`[id="${described}"]`).textContent()), reason, 'the reason describes the button');
  }
});

test.serial(
  'what the role may not do is not offered: a manager sees no Delete or status changes; an admin sees a super admin read only',
  async (t) => {
    const account = await admin().accounts.create({ name: unique('Managed'), kind: 'customer' }, OP);
    const target = await person();
    await admin().relations.setEmployments(
      target.id,
      [{ accountId: account.id, startDate: null, endDate: null, isMain: true }],
      OP,
    );
    const manager = await c.signIn('manager');
    await admin().relations.setManagedScopes(manager.user.id, { accountIds: [account.id], accountGroupIds: [] }, OP);
    await openRecord(manager.page, target.id, 'security');
    await manager.page.getByRole('heading', { name: target.name, level: 1 }).waitFor();
    for (const name of ['Delete', 'Deactivate', 'Lock', 'Anonymise', 'Send password reset', 'Reset MFA'])
      t.is(await manager.page.getByRole('button', { name, exact: true }).count(), 0, `${name} is not offered`);
    await manager.page.getByText('You may not impersonate this user.').waitFor();
    t.true(await manager.page.getByRole('button', { name: 'Log in as user' }).isDisabled());
    t.deepEqual(
      await manager.page.getByRole('tab').allInnerTexts(),
      ['Profile', 'Employment', 'Roles', 'Management', 'Groups', 'Licences', 'Security'],
      'no sign-ins or audit trail without audit.read',
    );
    // The manager edits the profile, but not the sign-in identifiers.
    await manager.page.getByRole('tab', { name: 'Profile' }).click();
    t.true(await manager.page.getByLabel('Email').isDisabled());
    t.false(await manager.page.getByLabel('Job title').isDisabled());

    const boss = await person('super_admin');
    const { page } = await c.signIn('admin');
    await openRecord(page, boss.id);
    await page
      .getByRole('note')
      .getByText('Read only: your role (Admin) may not change a user who is Super admin.')
      .waitFor();
    for (const name of ['Delete', 'Deactivate', 'Lock', 'Save profile'])
      t.is(await page.getByRole('button', { name, exact: true }).count(), 0, `${name} is not offered`);
    t.true(await page.getByLabel('Job title').isDisabled());
  },
);
