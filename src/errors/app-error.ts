/**
 * The one error type the application raises on purpose. `code` is stable
 * (`area.reason`), `status` is the HTTP status, and `expose` says whether the
 * message may be shown to the caller (true below 500, as in Koa).
 */
export class AppError extends Error {
  readonly expose: boolean;
  constructor(
    readonly code: string,
    readonly status = 400,
    message: string = code,
    readonly details?: Record<string, unknown>,
    /** The values its message names (`fail(code, params)`): a page's translation names them too. */
    readonly params?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'AppError';
    this.expose = status < 500;
  }
}

export function assertThat(condition: unknown, error: AppError | (() => AppError)): asserts condition {
  if (!condition) throw typeof error === 'function' ? error() : error;
}
