import { codeStrategy, type CodeCheck, type SignInStrategy } from './strategy.js';

/** A single-use recovery code, as the second step: `otp`, as a TOTP code. */
export const createRecoveryCodeStrategy = (mfa: { useRecoveryCode: CodeCheck }): SignInStrategy<string> =>
  codeStrategy('recovery_code', ['verify'], mfa.useRecoveryCode);
