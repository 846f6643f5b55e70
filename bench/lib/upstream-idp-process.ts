/**
 * "The customer's identity provider" of bench/federation.ts in a process of its
 * own (so its CPU is counted apart from Gatehouse's): the tests' upstream
 * oidc-provider (test/helpers/upstream-idp.ts) on UPSTREAM_PORT, with BENCH_USERS
 * people `person<i>@acme.example`, one client registered with REDIRECT_URI.
 * Prints one JSON line (issuer, client id and secret) once it listens.
 */
import { startUpstreamIdp } from '../../test/helpers/upstream-idp.js';

const users = Number(process.env.BENCH_USERS ?? 50);
const upstream = await startUpstreamIdp({
  redirectUris: [String(process.env.REDIRECT_URI)],
  port: Number(process.env.UPSTREAM_PORT),
});
for (let i = 0; i < users; i++) {
  const email = `person${i}@acme.example`;
  upstream.person(email, { email, email_verified: true, given_name: 'Person', family_name: String(i) });
}
console.log(
  JSON.stringify({ issuer: upstream.issuer, clientId: upstream.clientId, clientSecret: upstream.clientSecret }),
);
process.on('SIGTERM', () => upstream.close().finally(() => process.exit(0)));
