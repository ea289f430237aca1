// Where a command's client settings come from: its HTTP flags first, then the VAULT_* environment, then defaults.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClientConfig } from './client.js';
import { parseDurationSeconds } from './duration.js';
import { InvalidInputError } from './errors.js';
import type { FlagSpec, ParsedFlags } from './flags.js';
import { TokenHelper } from './token-helper.js';

export const DEFAULT_ADDRESS = 'http://127.0.0.1:8200';

export const HTTP_FLAGS: readonly FlagSpec[] = [
  { name: 'address', type: 'string', usage: 'Address of the server. Overrides VAULT_ADDR.' },
  { name: 'ca-cert', type: 'string', usage: 'PEM file of CA certificates to verify the server. Overrides VAULT_CACERT.' },
  { name: 'ca-path', type: 'string', usage: 'Directory of PEM CA certificates. Overrides VAULT_CAPATH.' },
  { name: 'client-cert', type: 'string', usage: 'PEM client certificate for TLS. Overrides VAULT_CLIENT_CERT.' },
  { name: 'client-key', type: 'string', usage: 'PEM key of -client-cert. Overrides VAULT_CLIENT_KEY.' },
  { name: 'tls-server-name', type: 'string', usage: 'SNI name to send. Overrides VAULT_TLS_SERVER_NAME.' },
  { name: 'tls-skip-verify', type: 'bool', usage: 'Do not verify the server certificate. Overrides VAULT_SKIP_VERIFY.' },
  { name: 'namespace', type: 'string', aliases: ['ns'], usage: 'Namespace header. Overrides VAULT_NAMESPACE.' },
  { name: 'wrap-ttl', type: 'duration', usage: 'Wrap the response in a cubbyhole token with this TTL.' },
];

/** Go's strconv.ParseBool, which VAULT_SKIP_VERIFY goes through. */
export function parseGoBool(name: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new InvalidInputError(`could not parse ${name}: invalid syntax ${JSON.stringify(value)}`);
}

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new InvalidInputError(`Error loading ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

async function readCaPath(dir: string): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    throw new InvalidInputError(`Error loading CA path ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const pems = await Promise.all(names.map((n) => readPem(path.join(dir, n), 'CA certificate')));
  return pems.join('\n');
}

export async function clientConfig(
  env: Record<string, string | undefined>,
  flags: ParsedFlags,
  cwd: string,
): Promise<ClientConfig> {
  const pick = (flag: string, envName: string): string | undefined =>
    (flags.has(flag) ? flags.string(flag) : undefined) || env[envName] || undefined;
  const resolve = (p: string | undefined): string | undefined => (p ? path.resolve(cwd, p) : undefined);

  const caFile = resolve(pick('ca-cert', 'VAULT_CACERT'));
  const caDir = resolve(pick('ca-path', 'VAULT_CAPATH'));
  const certFile = resolve(pick('client-cert', 'VAULT_CLIENT_CERT'));
  const keyFile = resolve(pick('client-key', 'VAULT_CLIENT_KEY'));

  let tlsSkipVerify = false;
  if (flags.has('tls-skip-verify')) tlsSkipVerify = flags.bool('tls-skip-verify');
  else if (env.VAULT_SKIP_VERIFY) tlsSkipVerify = parseGoBool('VAULT_SKIP_VERIFY', env.VAULT_SKIP_VERIFY);

  let timeoutMs: number | undefined;
  if (env.VAULT_CLIENT_TIMEOUT) {
    const seconds = parseDurationSeconds(env.VAULT_CLIENT_TIMEOUT);
    if (seconds === null || seconds <= 0) throw new InvalidInputError('could not parse VAULT_CLIENT_TIMEOUT');
    timeoutMs = seconds * 1000;
  }

  const token = env.VAULT_TOKEN || (await TokenHelper.forEnv(env).get());
  return {
    address: pick('address', 'VAULT_ADDR') ?? DEFAULT_ADDRESS,
    token,
    caCert: caFile ? await readPem(caFile, 'CA certificate') : caDir ? await readCaPath(caDir) : undefined,
    clientCert: certFile ? await readPem(certFile, 'client certificate') : undefined,
    clientKey: keyFile ? await readPem(keyFile, 'client key') : undefined,
    tlsSkipVerify,
    tlsServerName: pick('tls-server-name', 'VAULT_TLS_SERVER_NAME'),
    namespace: pick('namespace', 'VAULT_NAMESPACE'),
    wrapTtl: pick('wrap-ttl', 'VAULT_WRAP_TTL'),
    timeoutMs,
  };
}
