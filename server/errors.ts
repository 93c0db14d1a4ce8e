import { ERROR_STATUS, type ErrorCode } from '../common/errors';
import { translate, type Locale, type MessageKey } from '../common/i18n';

/**
 * A failure the caller can act on. `params` fill the localised message; `details`
 * go to the client as they are (field names, limits, ids).
 */
export class AppError extends Error {
  readonly statusCode: number;
  /** Sent as the Retry-After header (seconds) with the answer, for rate limits. */
  retryAfterSeconds?: number;
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, unknown> = {},
    readonly details?: unknown,
  ) {
    super(code);
    this.statusCode = ERROR_STATUS[code];
  }
}

export const notFound = () => new AppError('NOT_FOUND');

/** A 429: `code` with `{seconds}` in its message and details, and the Retry-After header. */
export function rateLimited(code: ErrorCode, seconds: number): AppError {
  const error = new AppError(code, { seconds }, { retryAfterSeconds: seconds });
  error.retryAfterSeconds = seconds;
  return error;
}
export const forbidden = () => new AppError('FORBIDDEN');

/** Field labels used in DUPLICATE_VALUE / INACTIVE_REFERENCE messages. */
export type FieldLabel = Extract<MessageKey, `field.${string}`>;

export function duplicate(field: FieldLabel, value: string) {
  return new AppError('DUPLICATE_VALUE', { fieldKey: field, value }, { field: field.slice('field.'.length), value });
}

export function inactiveReference(field: FieldLabel) {
  return new AppError('INACTIVE_REFERENCE', { fieldKey: field }, { field: field.slice('field.'.length) });
}

/** True for PostgreSQL unique violations (either driver), optionally on a given constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = (error as { cause?: unknown })?.cause ?? error;
  const pgError = e as { code?: string; constraint?: string; message?: string };
  if (pgError?.code !== '23505') return false;
  return !constraint || pgError.constraint === constraint || Boolean(pgError.message?.includes(constraint));
}

export type InputIssue = { path: string; key: MessageKey; params?: Record<string, unknown> };

/** A 400 VALIDATION_FAILED worded and shaped like the schema's own issues, for checks that need the database. */
export function invalidInput(locale: Locale, issues: InputIssue[]): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    {},
    {
      issues: issues.map((i) => ({ path: i.path, code: 'custom', message: translate(locale, i.key, i.params) })),
    },
  );
}
