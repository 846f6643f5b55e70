import test from 'ava';
import { startBrowserFlow, type BrowserFlow } from '../helpers/browser-flow.js';
import { PASSWORD } from '../helpers/server.js';

/*
 * Two people, one browser: A is signed in to the client, the client asks for a
 * new sign-in (`prompt=login`) and B signs in. The client gets B's code.
 */

let flow: BrowserFlow;

test.before(async () => {
  flow = await startBrowserFlow();
});
test.after.always(() => flow?.close());

test("after A signed in, prompt=login lets B sign in on the same client and the client gets B's code", async (t) => {
  const a = await flow.server.createUser();
  const b = await flow.server.createUser();
  const page = await flow.newPage();

  const first = await flow.openAuthorization(page);
  await flow.submitSignIn(page, a.email, PASSWORD);
  const firstLanding = await flow.landedOnCallback(page);
  t.deepEqual(
    await flow
      .redeem(firstLanding.searchParams.get('code')!, first.verifier)
      .then(({ status, sub }) => ({ status, sub })),
    { status: 200, sub: a.id },
  );

  const second = await flow.openAuthorization(page, { prompt: 'login' });
  await flow.submitSignIn(page, b.email, PASSWORD);
  const secondLanding = await flow.landedOnCallback(page);
  t.is(secondLanding.searchParams.get('state'), second.state);
  t.is(secondLanding.searchParams.get('error'), null);
  const code = secondLanding.searchParams.get('code');
  t.truthy(code);
  t.deepEqual(await flow.redeem(code!, second.verifier).then(({ status, sub }) => ({ status, sub })), {
    status: 200,
    sub: b.id,
  });
});
