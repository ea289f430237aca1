// Typed CLI errors; main() turns each into a message on stderr and an exit code, never by reading its text.

export type CliErrorCode = 'usage' | 'api' | 'connection' | 'command_failed' | 'invalid_input';

export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    /** Vault's convention: 1 for local mistakes, 2 for a failed or refused remote call. */
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Wrong flags or arguments; nothing was sent to the server. */
export class UsageError extends CliError {
  constructor(message: string) {
    super('usage', message, 1);
    this.name = 'UsageError';
  }
}

/** Local input that cannot be used (an unreadable file, malformed JSON on stdin). */
export class InvalidInputError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_input', message, 1, options);
    this.name = 'InvalidInputError';
  }
}

/** The server answered with a status >= 400; the message is laid out as Vault's Go client lays it out. */
export class ApiError extends CliError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly errors: readonly string[],
    /** True when the body was not a JSON `{"errors": [...]}` object and is quoted raw. */
    readonly raw: boolean,
  ) {
    super('api', formatApiError(method, url, status, errors, raw), 2);
    this.name = 'ApiError';
  }
}

/** The request never got an HTTP answer (refused, reset, TLS failure, timeout). */
export class ConnectionError extends CliError {
  constructor(method: string, url: string, reason: string, options?: { cause?: unknown }) {
    super('connection', `${goMethod(method)} "${url}": ${reason}`, 2, options);
    this.name = 'ConnectionError';
  }
}

/** A step of a command failed; the message already carries the command's context ("Error reading x: ..."). */
export class CommandFailedError extends CliError {
  constructor(message: string, exitCode = 2, options?: { cause?: unknown }) {
    super('command_failed', message, exitCode, options);
    this.name = 'CommandFailedError';
  }
}

export function formatApiError(
  method: string,
  url: string,
  status: number,
  errors: readonly string[],
  raw: boolean,
): string {
  let out = `Error making API request.\n\nURL: ${method} ${url}\nCode: ${status}. ${raw ? 'Raw Message' : 'Errors'}:\n\n`;
  // The Go client writes the errors back to back, with no separator; scripts match on this exact layout.
  if (raw) out += errors.join('');
  else out += errors.map((e) => `* ${e}`).join('');
  return out;
}

/** Go's net/http names the method this way in its error strings (`Get "http://..."`). */
function goMethod(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}

/** Prefixes any error with a command's context; the exit code is the error's own (2 for remote) unless given. */
export function failWith(context: string, err: unknown, exitCode?: number): CommandFailedError {
  const code = exitCode ?? (err instanceof CliError ? err.exitCode : 2);
  const message = err instanceof Error ? err.message : String(err);
  return new CommandFailedError(`${context}: ${message}`, code, { cause: err });
}
