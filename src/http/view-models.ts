/**
 * What each template in views/ is given, by template name: the one contract
 * between routes and pages. The renderer adds the layout's part (`LayoutModel`);
 * a page may set its own `title`.
 */

import type { ImpersonationBanner } from './middleware/impersonation-state.js';

/** The layout's model and the partials' (views/layout.eta, views/partials/). */
export interface LayoutModel {
  title: string;
  /** Versioned asset URLs by file name (routes/assets.ts). */
  assets: Record<string, string>;
  /** Pages only: the CSRF token and, while acting as someone, the banner. */
  csrf?: string;
  impersonation?: ImpersonationBanner;
  /** The request's id (http/middleware/request-id.ts): error pages show it as their reference. */
  requestId?: string;
}

/** A refused form shows its message above the form. */
interface Refusal {
  message?: string;
}

export interface LoginView extends Refusal {
  uid: string;
  clientName: string;
  username?: string;
  /** Adds the "Reset your password" link to the message. */
  locked?: boolean;
  /** Self-registration is on: the "Create an account" link. */
  signUp?: boolean;
  /** "Keep me signed in" was ticked (the form shown again). */
  keepSignedIn?: boolean;
  /** After a refused password: the lockout rule, and when a lock starting now ends (`null`: at a password reset). */
  lockout?: { maxAttempts: number; minutes: number; until: string | null };
  /** Buttons of the identity providers shown publicly (and of the one a refusal points to). */
  providers?: FederationButton[];
}

/** A "Continue with …" button of an identity provider on the sign-in page. */
export interface FederationButton {
  name: string;
  displayName: string;
  logoUrl: string | null;
}

/** The organisation's sign-in did not let the person in: why, and the way back to the sign-in page. */
export interface FederationRefusedView {
  message: string;
  code: string;
  /** The sign-in page of the interaction, when it is still in progress. */
  back?: string;
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

export interface ConsentView {
  uid: string;
  clientName: string;
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

/** The signed-in person's own page (/account). */
export interface AccountView extends Refusal {
  profile: { givenName: string; familyName: string; preferredLanguage: string; timezone: string };
  email: { address: string | null; verified: boolean; pending: string | null };
  languages: readonly string[];
  timeZones: readonly string[];
  sessions: {
    signedInAt: Date | null;
    expiresAt: Date | null;
    /** The applications it signed in to, by name. */
    applications: string[];
    /** How: password, authenticator app, passkey … */
    methods: string[];
    /** The session of the browser showing the page. */
    current: boolean;
  }[];
  /** `?done=` after a change: which note to show. */
  done?: string | string[];
}

export interface ForgotPasswordView extends Refusal {
  identifier?: string;
  /** The sign-in this page was reached from ("Back to sign-in"). */
  interaction?: string;
}

export interface ForgotPasswordSentView {
  interaction?: string;
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
  heading?: string;
  message: string;
  code: string;
  /** A link to ask again (an expired reset link). */
  retry?: string;
  /** Where to go from here (back to the application, start again …); the page adds none of its own. */
  links?: { href: string; label: string }[];
}

export interface UnavailableView {
  title: string;
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
  /** The organisation's identity provider the session came from, where it offers a sign-out too. */
  upstream?: { href: string; displayName: string };
}

type NoModel = Record<string, never>;

/** Template name → its view model. */
export interface ViewModels {
  account: AccountView;
  'account-email-confirm': { token: string; email: string };
  'signed-out-everywhere': NoModel;
  'self-service-password': SelfServicePasswordView;
  'self-service-security': SelfServiceSecurityView;
  consent: ConsentView;
  error: ErrorView;
  'federation-refused': FederationRefusedView;
  'forgot-password': ForgotPasswordView;
  'forgot-password-sent': ForgotPasswordSentView;
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
