import { ERRORS, pageText, type ErrorCode } from '../errors/codes.js';

const isLoginCode = (code: ErrorCode): code is Extract<ErrorCode, `login.${string}`> => code.startsWith('login.');

/**
 * What a person is told at sign-in, by error code: the catalogue's texts
 * (errors/codes.ts), for the login steps that give their code as a string.
 * Unknown user and wrong password share one text.
 */
export const LOGIN_MESSAGES: Record<string, string> = Object.fromEntries((Object.keys(ERRORS) as ErrorCode[]).filter(isLoginCode).map((code) => [code, pageText(code)]));
