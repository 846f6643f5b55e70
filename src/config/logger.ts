import pino, { type DestinationStream, type Logger } from 'pino';
import { requestContext } from '../util/request-context.js';

/** Fields never written, whatever is logged: passwords, tokens, and what PostgreSQL quotes of a failing row. */
const REDACT = ['password', '*.password', 'token', '*.token', 'err.detail', 'err.where', 'err.parameters'];

/**
 * The process's logger (pino, JSON lines): every line written while a request is
 * served carries its `requestId` (util/request-context.ts), services' lines included.
 * Stdout is written asynchronously, in writes of at least 4 KiB (about 16 access-log
 * lines: one system call for many instead of one each), and at least every
 * `FLUSH_MS`, so a quiet server's lines still show within a second. pino flushes
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
  return pino(options, destination ?? bufferedStdout());
}

/**
 * The access log's logger: the same destination and level, without the redaction (an
 * access line's fields are fixed and hold no secret) and without the mixin (the line
 * names its request id itself), so the line every request writes costs less.
 */
export function accessLogger(log: Logger): Logger {
  const stream = (log as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
  return pino({ level: log.level }, stream);
}

const FLUSH_MS = 1000;

function bufferedStdout(): DestinationStream {
  // `destroyed` is sonic-boom's, missing from its types.
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 }) as ReturnType<typeof pino.destination> & {
    destroyed?: boolean;
  };
  // sonic-boom's flush waits for a write in flight by itself.
  setInterval(() => stream.destroyed || stream.flush(), FLUSH_MS).unref();
  return stream;
}
