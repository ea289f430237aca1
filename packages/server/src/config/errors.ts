import { CodedError } from '@strongroom/storage';

/** Stable code of every error the configuration loader throws. */
export type ConfigErrorCode = 'config_invalid';

/** A configuration file that cannot be read, parsed or accepted; the message names the file and the key. */
export class ConfigError extends CodedError<ConfigErrorCode> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config_invalid', message, options);
    this.name = 'ConfigError';
  }
}
