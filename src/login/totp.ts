import { codeStrategy, type CodeCheck, type SignInStrategy } from './strategy.js';

/** A code from the authenticator app, as the second step: `otp`. */
export const createTotpStrategy = (mfa: { verifyTotp: CodeCheck }): SignInStrategy<string> =>
  codeStrategy('totp', ['verify'], mfa.verifyTotp);

/**
 * The first code of an authenticator app set up during sign-in (MFA required by
 * role or by the client): it confirms the app and counts as `otp`.
 */
export const createTotpEnrolmentStrategy = (mfa: { confirmTotpEnrolment: CodeCheck }): SignInStrategy<string> =>
  codeStrategy('enrolment', ['enrol'], mfa.confirmTotpEnrolment);
