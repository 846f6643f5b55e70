import type { User } from '../../types';

/** A user's record as `GET /users/{id}` answers it: the parts a merge compares. */
export interface UserDetails {
  user: User & { phoneNumbers?: { value: string }[] };
  employments: { accountName: string; isMain: boolean }[];
  groups: { displayName: string }[];
}

const text = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};
const field = (key: string) => (d: UserDetails) => text(d.user[key]);

/** The rows of the side-by-side view: a label and how to read it from a user's record. */
const ROWS: [string, (d: UserDetails) => string][] = [
  ['Email', field('email')],
  ['User ID', field('userCode')],
  ['External ID', field('externalId')],
  ['Employee number', field('employeeNumber')],
  ['Given name', field('givenName')],
  ['Family name', field('familyName')],
  ['Display name', field('displayName')],
  ['Job title', field('jobTitle')],
  ['Department', field('department')],
  ['Status', field('status')],
  ['Role', field('mainRole')],
  ['Phones', (d) => text(d.user.phoneNumbers?.map((p) => p.value))],
  ['Tags', field('tags')],
  ['Accounts', (d) => text(d.employments.map((e) => (e.isMain ? `${e.accountName} (main)` : e.accountName)))],
  ['Groups', (d) => text(d.groups.map((g) => g.displayName))],
  ['Last sign-in', (d) => (d.user.lastSignInAt ? new Date(d.user.lastSignInAt).toLocaleString() : 'Never')],
  ['Created', (d) => new Date(d.user.createdAt).toLocaleString()],
];

/**
 * The two users side by side, a row per field; the rows where they differ are
 * marked (in words as well as colour).
 */
export function Compare(props: { keep: UserDetails; merge: UserDetails; keepName: string; mergeName: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than the screen scrolls with the keyboard too (axe: scrollable-region-focusable)
    <section className="table-scroll" tabIndex={0} aria-label="Comparison">
      <table className="data-table compare" aria-label="The two users side by side">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Kept: {props.keepName}</th>
            <th scope="col">Merged away: {props.mergeName}</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map(([label, read]) => {
            const a = read(props.keep);
            const b = read(props.merge);
            const differs = a !== b;
            return (
              <tr key={label} className={differs ? 'differs' : undefined}>
                <th scope="row">
                  {label}
                  {differs && <span className="differs-mark"> differs</span>}
                </th>
                <td>{a || '—'}</td>
                <td>{b || '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
