// Error classes and the catalogue of stable error codes (each documented in docs/errors.md).

/** Every error code logsift can raise, with the message template operators see. */
export const errorCodes = {
  config_invalid: 'configuration is invalid',
  validation_failed: 'a value does not match its schema',
  storage_failed: 'the store could not complete an operation',
  wal_failed: 'the write-ahead log could not complete an operation',
  query_invalid: 'the query cannot be parsed or compiled',
  http_bad_request: 'the request is malformed',
  http_payload_too_large: 'the request body is over the configured limit',
  http_unsupported_media_type: 'the request content type is not supported',
  http_overloaded: 'the server is over its ingest limit; retry later',
  http_unauthorized: 'an API key is required',
  http_forbidden: 'the API key lacks the scope the request needs',
  http_not_found: 'no such resource',
  io_failed: 'a file the command was given could not be read or written',
  internal: 'an unexpected internal error',
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** Base error: a stable `code`, a message that says what failed and what to change, and the standard `cause`. */
export class LogsiftError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class ConfigError extends LogsiftError {
  /** Dotted path of the offending key, e.g. `store.retentionDays`. */
  readonly key: string;
  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super('config_invalid', `config key "${key}": ${message}`, options);
    this.key = key;
  }
}

export class ValidationError extends LogsiftError {
  readonly errors: readonly string[];
  constructor(message: string, errors: readonly string[]) {
    super('validation_failed', `${message}: ${errors.join('; ')}`);
    this.errors = errors;
  }
}

export class StorageError extends LogsiftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage_failed', message, options);
  }
}

export class WalError extends LogsiftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('wal_failed', message, options);
  }
}

export class QueryError extends LogsiftError {
  /** 0-based character offset in the query text where the problem is, when known. */
  readonly position: number | undefined;
  constructor(message: string, position?: number) {
    super('query_invalid', position === undefined ? message : `${message} (at character ${position + 1})`);
    this.position = position;
  }
}

export class HttpError extends LogsiftError {
  readonly statusCode: number;
  readonly retryAfterSeconds: number | undefined;
  constructor(statusCode: number, code: ErrorCode, message: string, retryAfterSeconds?: number) {
    super(code, message);
    this.statusCode = statusCode;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A broken invariant: a bug in logsift, never a user error. */
export function bug(message: string): never {
  throw new Error(`BUG: ${message}`);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
