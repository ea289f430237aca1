// The public surface of @strongroom/cli.
export { main, VERSION, type MainOptions } from './main.js';
export { processIO, readAll, readLine, type CliIO, type Reader, type Writer } from './io.js';
export { Client, type ClientConfig, type RawResponse, type RequestOptions } from './client.js';
export { clientConfig, DEFAULT_ADDRESS } from './client-config.js';
export { ApiError, CliError, CommandFailedError, ConnectionError, InvalidInputError, UsageError, type CliErrorCode } from './errors.js';
export { parseFlags, ParsedFlags, type FlagSpec, type FlagType } from './flags.js';
export { parseKeyValues } from './kv-data.js';
export { decodeRootToken, generateOtp } from './root-token.js';
export { columnize, tableOutput } from './format/columns.js';
export { Output, type OutputFormat } from './output.js';
export type { Secret, SecretAuth, WrapInfo } from './secret.js';
export type { RunServerOptions, ServerHandle, ServerModule, ServerModuleLoader } from './server-module.js';
