import test from 'ava';
import { isDatabaseUnavailable } from '../../src/db/database-unavailable.js';

/** What the server answers with 503 + Retry-After (the database is unavailable), and what stays a fault or a client error. */
const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const knexTimeout = Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), {
  name: 'KnexTimeoutError',
});

const unavailable: Array<[string, unknown]> = [
  ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
  ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
  ['connection failure 08006', pgError('08006')],
  ['cannot connect now 57P03 (starting up)', pgError('57P03', 'the database system is starting up')],
  ['admin shutdown 57P01', pgError('57P01', 'terminating connection due to administrator command')],
  ['crash shutdown 57P02', pgError('57P02')],
  ['too many connections 53300', pgError('53300', 'sorry, too many clients already')],
  ['statement_timeout 57014', pgError('57014', 'canceling statement due to statement timeout')],
  ['knex pool acquire timeout', knexTimeout],
  ["pg's query read timeout", new Error('Query read timeout')],
  ["pg's query read timeout behind knex's SQL", new Error('select 1 - Query read timeout')],
  ["pg's connect timeout", new Error('timeout expired')],
  ['connection ended under a query', new Error('Connection terminated unexpectedly')],
  ['a broken client', new Error('Client has encountered a connection error and is not queryable')],
  [
    'several addresses refused (AggregateError)',
    new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'connect failed'),
  ],
  ['as the cause of another error', new Error('wrapped', { cause: pgError('57P01') })],
];
const notUnavailable: Array<[string, unknown]> = [
  ['unique violation 23505', pgError('23505')],
  ['foreign key violation 23503', pgError('23503')],
  ['deadlock 40P01', pgError('40P01')],
  ['syntax error 42601', pgError('42601')],
  ['a plain error', new Error('boom')],
  ['a message that merely contains a phrase', new Error('user said: timeout expired!')],
  ['undefined', undefined],
  ['a string', 'ECONNREFUSED'],
];

for (const [name, err] of unavailable) test(`unavailable: ${name}`, (t) => t.true(isDatabaseUnavailable(err)));
for (const [name, err] of notUnavailable) test(`not unavailable: ${name}`, (t) => t.false(isDatabaseUnavailable(err)));
