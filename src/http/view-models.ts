/**
 * What each template in views/ is given, by template name: the one contract
 * between routes and pages. The renderer adds the layout's part (`LayoutModel`);
 * a page may set its own `title`.
 */

import type { PageLanguage } from '../domain/page-strings.js';
import type { Branding } from '../domain/settings.js';
import type { PageNotice } from '../errors/codes.js';
import type { ImpersonationBanner } from './middleware/impersonation-state.js';
import type { PageText } from './page-text.js';

/**
 * The layout's model and the partials' (views/layout.eta, views/partials/):
 * the page's texts (`t`, `tOr`, `notice`: HTML, written with `<%~`), its
 * language, title and the brand.
 */
export interface LayoutModel extends PageText {
  language: PageLanguage;
  /** The page's own title (`titles.<view>`); the layout adds the product name. */
  title: string;
  /** Versioned asset URLs by file name (routes/assets.ts). */
  assets: Record<string, string>;
  brand: Branding;
  /** The stylesheet of the brand's colour (routes/branding.ts). */
  brandStylesheet: string;
  /** The language switcher's choices (views/partials/languages.eta). */
  languages: { code: PageLanguage; name: string }[];
  /** Pages only: the CSRF token and, while acting as someone, the banner. */
  csrf?: string;
  impersonation?: ImpersonationBanner;
  /** The request's id (http/middleware/request-id.ts): error pages show it as their reference. */
  requestId?: string;
}

/** A refused form shows its message above the form, in the page's language. */
interface Refusal {
  message?: PageNotice;
}

/** The application a sign-in is for: its name, and its logo (`logo_uri`) when it has one. */
interface ClientShown {
  clientName: string;
  clientLogo?: string;
}

export interface LoginView extends Refusal, ClientShown {
  uid: string;
  username?: string;
  /** Adds the "Reset your password" link to the message. */
  locked?: boolean;
  /** Self-registration is on: the "Create an account" link. */
  signUp?: boolean;
}

export interface MfaVerifyView extends Refusal {
  uid: string;
  totp: boolean;
  passkeys: boolean;
  recoveryCodes: boolean;
}

export interface MfaEnrolView extends Refusal {
  /** In a sign-in (Cancel ends it); absent on the self-service pages (Back). */
  uid?: string;
  secret: string;
  uri: string;
  qrDataUrl: string;
  action: string;
}

export interface MfaRecoveryCodesView {
  /** In a sign-in, the form posts (with the CSRF field); on the self-service pages it is a link. */
  uid?: string;
  /** Shown once; null when they were shown already. */
  codes: string[] | null;
  action: string;
}

export interface ConsentView extends ClientShown {
  uid: string;
  scopes: string[];
  resources: { indicator: string; scopes: string[] }[];
}

export interface SelfServicePasswordView extends Refusal {
  done?: boolean;
}

export interface SelfServiceSecurityView {
  summary: { totp: boolean; recoveryCodesLeft: number };
  passkeys: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null }[];
  /** `?done=` after a change: which note to show. */
  done?: string | string[];
}

export interface ForgotPasswordView extends Refusal {
  identifier?: string;
}

export interface ResetPasswordView extends Refusal {
  token: string;
  username?: string;
}

export interface SignUpView extends Refusal {
  email?: string;
  givenName?: string;
  familyName?: string;
  /** The sign-in this page was reached from ("Back to sign in"). */
  interaction?: string;
  /** Empty: any domain. */
  allowedDomains: string[];
}

export interface SignUpSentView {
  interaction?: string;
}

export interface SignUpConfirmView {
  token: string;
  email: string;
  name: string;
}

export interface SignUpDoneView {
  /** `pending`: waiting for approval; `active`: may sign in; `existing`: the address had an account already. */
  outcome: 'pending' | 'active' | 'existing';
}

export interface ImpersonationView {
  stopped: boolean;
}

export interface ErrorView {
  /** `failed` (the default), `server` (5xx) or `link_expired`. */
  heading?: 'failed' | 'server' | 'link_expired';
  /** An error's notice, or one of the generic texts (`error.request_failed`, `error.server_failed`). */
  message: PageNotice | 'request_failed' | 'server_failed';
  code: string;
  /** A link to ask again (an expired reset link). */
  retry?: string;
}

export interface UnavailableView {
  /** Where "Try again" goes. */
  retry: string;
}

export interface LogoutView {
  /** oidc-provider's hidden logout form (HTML). */
  form: string;
  clientName?: string;
}

export interface LoggedOutView {
  clientName?: string;
}

type NoModel = Record<string, never>;

/** Template name → its view model. */
export interface ViewModels {
  'self-service-password': SelfServicePasswordView;
  'self-service-security': SelfServiceSecurityView;
  consent: ConsentView;
  error: ErrorView;
  'forgot-password': ForgotPasswordView;
  'forgot-password-sent': NoModel;
  impersonation: ImpersonationView;
  'logged-out': LoggedOutView;
  login: LoginView;
  logout: LogoutView;
  'mfa-enrol': MfaEnrolView;
  'mfa-recovery-codes': MfaRecoveryCodesView;
  'mfa-verify': MfaVerifyView;
  'reset-password': ResetPasswordView;
  'reset-password-done': NoModel;
  'sign-up': SignUpView;
  'sign-up-sent': SignUpSentView;
  'sign-up-confirm': SignUpConfirmView;
  'sign-up-done': SignUpDoneView;
  unavailable: UnavailableView;
}

export type View = keyof ViewModels;
