/**
 * What each template in views/ is given, by template name: the one contract
 * between routes and pages. The renderer adds the layout's part (`LayoutModel`);
 * a page may set its own `title`.
 */

import type { PageLanguage } from '../domain/page-strings.js';
import type { PAGE_STRINGS_EN } from '../domain/page-strings-en.js';
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
  refusal: PageNotice;
  /** What the upstream said, as it said it (its `error` and `error_description`). */
  detail?: string;
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

/** A way a session signed in (`account.methods.<method>`). */
export type AccountMethod = keyof typeof PAGE_STRINGS_EN.account.methods;

/** The signed-in person's own page (/account). */
export interface AccountView extends Refusal {
  profile: { givenName: string; familyName: string; preferredLanguage: string; timezone: string };
  email: { address: string | null; verified: boolean; pending: string | null };
  /** The languages a profile may name (BCP 47 tags). */
  languageTags: readonly string[];
  timeZones: readonly string[];
  sessions: {
    signedInAt: Date | null;
    expiresAt: Date | null;
    /** The applications it signed in to, by name. */
    applications: string[];
    /** How: password, authenticator app, passkey … */
    methods: AccountMethod[];
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

/** An error page's kind: its heading and plain text (`error.kinds.<kind>` in domain/page-strings-en.ts). */
export type ErrorKind = keyof typeof PAGE_STRINGS_EN.error.kinds;

/** A link that gets the person on their way from an error page (`error.ways.<label>`). */
export type WayOn =
  | { href: string; label: 'start_again' | 'to_account' | 'back_to_application' }
  | { href: string; label: 'back_to_client'; client: string };

export interface ErrorView {
  /** The kind of failure (default `failed`): the heading, and the text unless `message` says more. */
  kind?: ErrorKind;
  /** One of our errors, in the page's language, in place of the kind's text. */
  message?: PageNotice;
  code: string;
  /** A link to ask again (an expired reset link). */
  retry?: string;
  /** Where to go from here (back to the application, start again …); the page adds none of its own. */
  links?: WayOn[];
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
