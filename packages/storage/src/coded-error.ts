/**
 * The base of every typed error in the server packages. Callers and the HTTP layer branch on the stable `code`,
 * never on the message or the class name, so one `instanceof CodedError` check finds the typed errors of every
 * package. It lives in storage because storage is the lowest package and every other one depends on it.
 */
export abstract class CodedError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CodedError';
  }
}
