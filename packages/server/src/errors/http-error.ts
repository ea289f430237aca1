import { CodedError } from '@strongroom/storage';

/** Stable codes of the errors the HTTP layer itself raises (before or around the node). */
export type HttpErrorCode =
  | 'http_malformed_body'
  | 'http_invalid_path'
  | 'http_invalid_header'
  | 'http_invalid_query'
  | 'http_body_too_large'
  | 'http_unsupported_media_type'
  | 'http_method_not_allowed'
  | 'http_not_found'
  | 'http_metrics_disabled'
  | 'http_unsupported_format';

/** An error of the HTTP layer; its status comes from the one table in status-table.ts like every other code. */
export class HttpError extends CodedError<HttpErrorCode> {
  constructor(code: HttpErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'HttpError';
  }
}
