import { singleBlock, unknownKeys } from './blocks.js';
import { ConfigError } from './errors.js';
import { DEFAULT_LISTENER_ADDRESS, DEFAULT_MAX_REQUEST_SIZE, type ListenerConfig } from './types.js';
import { ciphersFromVault, DEFAULT_CIPHERS } from './tls-ciphers.js';
import { formatHostPort, readBool, readDurationMs, readEnum, readHostPort, readInt, readString, readStringList } from './values.js';

const LISTENER_KEYS = new Set([
  'address', 'cluster_address', 'tls_disable', 'tls_cert_file', 'tls_key_file', 'tls_min_version', 'max_request_size',
  'telemetry', 'tls_cipher_suites', 'tls_client_ca_file', 'tls_require_and_verify_client_cert', 'tls_disable_client_certs',
  'http_read_header_timeout', 'http_read_timeout', 'http_idle_timeout', 'tls_max_version',
]);
/** Vault's listener keys that Strongroom accepts but does not act on. */
const LISTENER_IGNORED = new Set([
  'max_request_duration', 'x_forwarded_for_authorized_addrs', 'x_forwarded_for_hop_skips',
  'x_forwarded_for_reject_not_authorized', 'x_forwarded_for_reject_not_present', 'proxy_protocol_behavior',
 'http_write_timeout',
]);

/** One `listener "<type>" {...}` block. */
export function parseListener(label: string, body: Record<string, unknown>, where: string, warnings: string[]): ListenerConfig {
  const at = `${where}listener "${label}"`;
  if (label !== 'tcp') throw new ConfigError(`${at}: listener type "${label}" is not supported (only "tcp")`);
  for (const k of Object.keys(body)) {
    if (LISTENER_IGNORED.has(k)) warnings.push(`${at}: "${k}" is not supported and is ignored`);
    else if (!LISTENER_KEYS.has(k)) warnings.push(`${at}: unknown key "${k}" ignored`);
  }

  const { address, host, port } = readHostPort(body['address'] ?? DEFAULT_LISTENER_ADDRESS, `${at}: address`);
  // Vault's default cluster listener: the API address with the port plus one.
  const clusterAddress =
    body['cluster_address'] !== undefined
      ? readHostPort(body['cluster_address'], `${at}: cluster_address`).address
      : formatHostPort(host, port === 0 ? 0 : port + 1);

  const tlsDisable = body['tls_disable'] === undefined ? false : readBool(body['tls_disable'], `${at}: tls_disable`);
  const file = (k: string): string | undefined => {
    if (body[k] === undefined) return undefined;
    const s = readString(body[k], `${at}: ${k}`).trim();
    return s === '' ? undefined : s;
  };
  const tlsCertFile = file('tls_cert_file');
  const tlsKeyFile = file('tls_key_file');
  if (!tlsDisable && (tlsCertFile === undefined || tlsKeyFile === undefined)) {
    throw new ConfigError(
      `${at}: TLS is on, so "tls_cert_file" and "tls_key_file" are required (or set tls_disable = true)`,
    );
  }

  let tlsMinVersion: ListenerConfig['tlsMinVersion'] = 'tls12';
  if (body['tls_min_version'] !== undefined) {
    tlsMinVersion = readEnum(body['tls_min_version'], ['tls12', 'tls13'] as const, `${at}: tls_min_version`);
  }

  // Client certificates: asked for when a CA is given, required (handshake refused without one) when told so.
  const tlsClientCaFile = file('tls_client_ca_file');
  const flag = (k: string) => (body[k] === undefined ? false : readBool(body[k], `${at}: ${k}`));
  const tlsRequireClientCert = flag('tls_require_and_verify_client_cert');
  const tlsDisableClientCerts = flag('tls_disable_client_certs');
  if (tlsRequireClientCert && tlsDisableClientCerts) {
    throw new ConfigError(`${at}: "tls_disable_client_certs" and "tls_require_and_verify_client_cert" are mutually exclusive`);
  }
  if (tlsDisable && (tlsRequireClientCert || tlsClientCaFile !== undefined)) {
    throw new ConfigError(`${at}: client certificates need TLS (tls_disable is true)`);
  }
  const tlsCiphers =
    body['tls_cipher_suites'] === undefined ? DEFAULT_CIPHERS : ciphersFromVault(readStringList(body['tls_cipher_suites'], `${at}: tls_cipher_suites`), `${at}: tls_cipher_suites`);
  const duration = (k: string) => (body[k] === undefined ? undefined : readDurationMs(body[k], `${at}: ${k}`));
  const httpReadHeaderTimeoutMs = duration('http_read_header_timeout');
  const httpReadTimeoutMs = duration('http_read_timeout');
  const httpIdleTimeoutMs = duration('http_idle_timeout');
  const tlsMaxVersion = body['tls_max_version'] === undefined ? 'tls13' : readEnum(body['tls_max_version'], ['tls12', 'tls13'] as const, `${at}: tls_max_version`);

  let maxRequestSize = DEFAULT_MAX_REQUEST_SIZE;
  if (body['max_request_size'] !== undefined) {
    const n = readInt(body['max_request_size'], `${at}: max_request_size`);
    // Vault: 0 means the default, a negative number turns the limit off.
    maxRequestSize = n === 0 ? DEFAULT_MAX_REQUEST_SIZE : n < 0 ? -1 : n;
  }

  const tel = singleBlock(body['telemetry'], `${at}: telemetry`) ?? {};
  unknownKeys(tel, new Set(['unauthenticated_metrics_access']), `${at}: telemetry`, warnings);
  const unauthenticatedMetricsAccess =
    tel['unauthenticated_metrics_access'] === undefined
      ? false
      : readBool(tel['unauthenticated_metrics_access'], `${at}: telemetry: unauthenticated_metrics_access`);

  const listener: ListenerConfig = {
    type: 'tcp',
    address,
    host,
    port,
    clusterAddress,
    tlsDisable,
    tlsMinVersion,
    tlsMaxVersion,
    tlsCiphers,
    tlsRequireClientCert,
    tlsDisableClientCerts,
    maxRequestSize,
    telemetry: { unauthenticatedMetricsAccess },
  };
  if (tlsCertFile !== undefined) listener.tlsCertFile = tlsCertFile;
  if (tlsKeyFile !== undefined) listener.tlsKeyFile = tlsKeyFile;
  if (tlsClientCaFile !== undefined) listener.tlsClientCaFile = tlsClientCaFile;
  if (httpReadHeaderTimeoutMs !== undefined) listener.httpReadHeaderTimeoutMs = httpReadHeaderTimeoutMs;
  if (httpReadTimeoutMs !== undefined) listener.httpReadTimeoutMs = httpReadTimeoutMs;
  if (httpIdleTimeoutMs !== undefined) listener.httpIdleTimeoutMs = httpIdleTimeoutMs;
  return listener;
}
