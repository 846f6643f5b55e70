import { randomBytes } from 'node:crypto';
import test from 'ava';
import { parse } from 'csv-parse/sync';
import { adminServerPerFile, type AdminFetch } from '../helpers/admin.js';

/**
 * The CSV import writes the whole user record: phones (`type:number;…`), the main
 * address's parts, custom fields (`cf.<key>`), language and time zone, each
 * checked, and the required fields, whose absence makes a row error.
 */
const s = adminServerPerFile(test);
let admin: AdminFetch;
let superAdmin: AdminFetch;
test.before(async () => {
  admin = (await s.as('admin')).api;
  superAdmin = (await s.as('super_admin')).api;
  for (const field of [
    { key: 'shoeSize', label: 'Shoe size', type: 'number' },
    { key: 'team', label: 'Team', type: 'option', options: ['Red', 'Blue'] },
    { key: 'remote', label: 'Remote', type: 'boolean' },
  ])
    if ((await superAdmin('POST', '/custom-fields', field)).status !== 201) throw new Error('field not made');
});

const domain = () => `${randomBytes(4).toString('hex')}.example.com`;
const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;
const importCsv = (query: string, body: string) =>
  admin('POST', `/imports?${query}`, body, { 'content-type': 'text/csv' });
const errorsOf = async (id: string) =>
  parse((await admin('GET', `/imports/${id}/errors.csv`)).body as string, { columns: true }) as Record<
    string,
    string
  >[];
const byEmail = async (email: string) => {
  const list = await admin('GET', `/users?q=${encodeURIComponent(email)}`);
  return list.body.items[0];
};

test('rows create and change phones, the main address, custom fields, language and time zone', async (t) => {
  const d = domain();
  const made = await importCsv(
    'key=email&mode=add',
    csv(
      'email,phoneNumbers,streetAddress,locality,country,cf.shoeSize,CF.Team,cf.remote,preferredLanguage,timezone',
      `ann@${d},work:+49 30 1;mobile:+49 170 2,Hauptstr. 1,Berlin,DE,41,blue,yes,de_de,europe/berlin`,
    ),
  );
  t.is(made.status, 201, JSON.stringify(made.body));
  t.like(made.body, { status: 'succeeded', created: 1, failed: 0 });
  const ann = await byEmail(`ann@${d}`);
  t.deepEqual(ann.phoneNumbers, [
    { value: '+49 30 1', type: 'work', display: null, primary: true },
    { value: '+49 170 2', type: 'mobile', display: null, primary: false },
  ]);
  t.like(ann.addresses[0], {
    type: 'work',
    primary: true,
    streetAddress: 'Hauptstr. 1',
    locality: 'Berlin',
    country: 'DE',
  });
  t.deepEqual(ann.customAttributes, { shoeSize: 41, team: 'Blue', remote: true });
  t.like(ann, { preferredLanguage: 'de-DE', timezone: 'Europe/Berlin' });

  const changed = await importCsv(
    'key=email&mode=update',
    csv('email,locality,postalCode,cf.shoeSize', `ann@${d},Potsdam,14467,42`),
  );
  t.like(changed.body, { status: 'succeeded', updated: 1, failed: 0 });
  const after = await byEmail(`ann@${d}`);
  t.like(after.addresses[0], { streetAddress: 'Hauptstr. 1', locality: 'Potsdam', postalCode: '14467' });
  t.is(after.phoneNumbers.length, 2, 'no phone cell: the phones stay');
  t.deepEqual(after.customAttributes, { shoeSize: 42, team: 'Blue', remote: true });

  const exported = await admin(
    'GET',
    `/exports/users.csv?q=${d}&columns=email,phoneNumbers,streetAddress,locality,postalCode,cf.shoeSize,cf.team`,
  );
  const [line] = parse(exported.body as string, { bom: true, columns: true });
  t.deepEqual(line, {
    email: `ann@${d}`,
    phoneNumbers: 'work:+49 30 1;mobile:+49 170 2',
    streetAddress: 'Hauptstr. 1',
    locality: 'Potsdam',
    postalCode: '14467',
    'cf.shoeSize': '42',
    'cf.team': 'Blue',
  });
});

test('bad values are row errors: language, time zone, custom fields; unknown cf columns are refused', async (t) => {
  const d = domain();
  const res = await importCsv(
    'key=email&mode=add',
    csv(
      'email,preferredLanguage,timezone,cf.team,cf.shoeSize',
      `ok@${d},en,UTC,Red,40`,
      `lang@${d},tlh,,,`,
      `zone@${d},,Mars/Base,,`,
      `team@${d},,,Green,`,
      `size@${d},,,,huge`,
    ),
  );
  t.like(res.body, { status: 'succeeded', created: 1, failed: 4 });
  t.deepEqual(
    (await errorsOf(res.body.id)).map((e) => [e.row, e.column, e.code]),
    [
      ['2', 'preferredLanguage', 'import.invalid_language'],
      ['3', 'timezone', 'import.invalid_timezone'],
      ['4', 'cf.team', 'import.invalid_custom_field'],
      ['5', 'cf.shoeSize', 'import.invalid_custom_field'],
    ],
  );
  const header = await importCsv('key=email&mode=add', csv('email,cf.hat', `x@${d},1`));
  t.is(header.status, 400);
  t.is(header.body.error, 'import.invalid_header');
});

test.serial('required fields make a row without them an error, for new and changed users', async (t) => {
  const d = domain();
  await importCsv('key=email&mode=add', csv('email,familyName', `keep@${d},Kept`));
  t.is((await superAdmin('PUT', '/settings', { requiredFields: ['familyName'] })).status, 200);
  t.is((await superAdmin('PATCH', '/custom-fields/team', { required: true })).status, 200);
  try {
    const res = await importCsv(
      'key=email&mode=upsert',
      csv(
        'email,familyName,cf.team',
        `new@${d},New,Red`,
        `nameless@${d},,Red`,
        `teamless@${d},Less,`,
        `keep@${d},,Blue`,
      ),
    );
    t.like(res.body, { status: 'succeeded', created: 1, updated: 1, failed: 2 });
    t.deepEqual(
      (await errorsOf(res.body.id)).map((e) => [e.row, e.column, e.code]),
      [
        ['2', 'familyName', 'import.field_required'],
        ['3', 'cf.team', 'import.field_required'],
      ],
    );
  } finally {
    await superAdmin('PUT', '/settings', { requiredFields: [] });
    await superAdmin('PATCH', '/custom-fields/team', { required: false });
  }
});
