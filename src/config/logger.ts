import pino, { type DestinationStream, type Logger } from 'pino';
import { requestContext } from '../util/request-context.js';

/** Fields never written, whatever is logged: passwords, tokens, and what PostgreSQL quotes of a failing row. */
const REDACT = ['password', '*.password', 'token', '*.token', 'err.detail', 'err.where', 'err.parameters'];

/**
 * The process's logger (pino, JSON lines): every line written while a request is
 * served carries its `requestId` (util/request-context.ts), services' lines included.
 * Stdout is written asynchronously: a line goes at once when no write is in flight,
 * and the lines that come meanwhile go together in the next write (under load, one
 * write for many access-log lines instead of one system call each). pino flushes
 * what is left synchronously when the process exits.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: REDACT,
    mixin: () => {
      const context = requestContext.getStore();
      return context ? { requestId: context.requestId } : {};
    },
  };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
