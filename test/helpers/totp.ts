import { generateSync } from 'otplib';
import type { Page } from './browser.js';

/**
 * A clock the tests move by hand, for the server (`startServer(env, { clock })`),
 * and the authenticator app that follows it. Tests sharing one must run serially.
 */
export function handClock() {
  const clock = {
    current: new Date(),
    now() {
      return new Date(this.current);
    },
  };
  return {
    clock,
    later(seconds: number) {
      clock.current = new Date(clock.current.getTime() + seconds * 1000);
    },
    /** The code an authenticator app shows now, by the hand clock. */
    codeFor: (secret: string) => generateSync({ secret, epoch: Math.floor(clock.current.getTime() / 1000) }),
  };
}

/** The text of the element with this id (the enrolment page's key and link). */
export const textOf = (page: Page, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(page.html)?.[1];

/** The recovery codes a page shows. */
export const recoveryCodes = (page: Page) =>
  [...(/id="recovery-codes"[^>]*>([\s\S]*?)<\/ul>/.exec(page.html)?.[1] ?? '').matchAll(/<code>([^<]+)<\/code>/g)].map(
    (m) => m[1]!,
  );
