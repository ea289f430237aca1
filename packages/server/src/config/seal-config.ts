import { unknownKeys } from './blocks.js';
import { ConfigError } from './errors.js';
import { readBool, readInt, readString } from './values.js';

/** OpenBao's `seal "static"`. Keys stay as written (`file://`, `env://` or the key in hex or base64) until start-up reads them. */
export interface StaticSealConfig {
  type: 'static';
  currentKeyId: string;
  currentKey: string;
  previousKeyId?: string;
  previousKey?: string;
  priority?: number;
  name?: string;
}

/** Vault's `seal "transit"`. */
export interface TransitSealConfig {
  type: 'transit';
  address: string;
  /** From the file or VAULT_TOKEN; never logged. */
  token: string;
  keyName: string;
  mountPath: string;
  namespace?: string;
  disableRenewal: boolean;
  tlsCaCert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
  tlsServerName?: string;
  tlsSkipVerify: boolean;
  priority?: number;
  name?: string;
}

export type SealBlockConfig = StaticSealConfig | TransitSealConfig;

const COMMON_KEYS = ['priority', 'name'];
const STATIC_KEYS = new Set([...COMMON_KEYS, 'current_key_id', 'current_key', 'previous_key_id', 'previous_key']);
const TRANSIT_KEYS = new Set([
  ...COMMON_KEYS, 'address', 'token', 'key_name', 'mount_path', 'namespace', 'disable_renewal',
  'tls_ca_cert', 'tls_client_cert', 'tls_client_key', 'tls_server_name', 'tls_skip_verify',
]);

/** One `seal "<type>"` block; `shamir` is the default and configures nothing, so it yields null. */
export function parseSeal(label: string, body: Record<string, unknown>, where: string, warnings: string[]): SealBlockConfig | null {
  const at = `${where}seal "${label}"`;
  const str = (k: string): string | undefined => (body[k] === undefined ? undefined : readString(body[k], `${at}: ${k}`).trim() || undefined);
  const common = {
    ...(body['priority'] !== undefined ? { priority: readInt(body['priority'], `${at}: priority`) } : {}),
    ...(str('name') ? { name: str('name')! } : {}),
  };
  if (body['disabled'] !== undefined && readBool(body['disabled'], `${at}: disabled`)) {
    throw new ConfigError(`${at}: disabled seals (seal migration) are not supported`);
  }
  switch (label) {
    case 'shamir':
      return null;
    case 'static': {
      unknownKeys(body, new Set([...STATIC_KEYS, 'disabled']), at, warnings);
      const currentKeyId = str('current_key_id');
      const currentKey = str('current_key');
      if (!currentKeyId) throw new ConfigError(`${at}: current_key_id is required`);
      if (!currentKey) throw new ConfigError(`${at}: current_key is required (file://<path>, env://<variable>, or the key in hex or base64)`);
      const previousKeyId = str('previous_key_id');
      const previousKey = str('previous_key');
      if ((previousKeyId === undefined) !== (previousKey === undefined)) throw new ConfigError(`${at}: previous_key and previous_key_id go together`);
      if (previousKeyId !== undefined && previousKeyId === currentKeyId) throw new ConfigError(`${at}: previous_key_id must differ from current_key_id`);
      return { type: 'static', currentKeyId, currentKey, ...(previousKeyId ? { previousKeyId, previousKey: previousKey! } : {}), ...common };
    }
    case 'transit': {
      unknownKeys(body, new Set([...TRANSIT_KEYS, 'disabled']), at, warnings);
      const bool = (k: string): boolean => (body[k] === undefined ? false : readBool(body[k], `${at}: ${k}`));
      const opt = (k: string, v: string | undefined): Record<string, string> => (v ? { [k]: v } : {});
      return {
        type: 'transit',
        address: str('address') ?? '',
        token: str('token') ?? '',
        keyName: str('key_name') ?? '',
        mountPath: str('mount_path') ?? '',
        disableRenewal: bool('disable_renewal'),
        tlsSkipVerify: bool('tls_skip_verify'),
        ...opt('namespace', str('namespace')),
        ...opt('tlsCaCert', str('tls_ca_cert')),
        ...opt('tlsClientCert', str('tls_client_cert')),
        ...opt('tlsClientKey', str('tls_client_key')),
        ...opt('tlsServerName', str('tls_server_name')),
        ...common,
      };
    }
    default:
      throw new ConfigError(`${at} is not supported (use "shamir", "static" or "transit")`);
  }
}

/**
 * Vault's environment variables for the transit seal, which win over the file as for every seal option; then the
 * checks that need them (address, token and key name are required).
 */
export function finalizeSeal(s: SealBlockConfig, env: Record<string, string | undefined>): SealBlockConfig {
  if (s.type !== 'transit') return s;
  const e = (k: string): string | undefined => env[k]?.trim() || undefined;
  const out: TransitSealConfig = {
    ...s,
    address: e('VAULT_ADDR') ?? s.address,
    token: e('VAULT_TOKEN') ?? s.token,
    keyName: e('VAULT_TRANSIT_SEAL_KEY_NAME') ?? s.keyName,
    mountPath: e('VAULT_TRANSIT_SEAL_MOUNT_PATH') ?? (s.mountPath || 'transit/'),
  };
  const ns = e('VAULT_NAMESPACE') ?? s.namespace;
  if (ns) out.namespace = ns;
  const renewal = e('VAULT_TRANSIT_SEAL_DISABLE_RENEWAL');
  if (renewal) out.disableRenewal = readBool(renewal, 'VAULT_TRANSIT_SEAL_DISABLE_RENEWAL');
  const at = 'seal "transit"';
  if (!out.address) throw new ConfigError(`${at}: address is required (or VAULT_ADDR)`);
  try {
    const u = new URL(out.address);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(`${at}: address ${JSON.stringify(out.address)} is not an http:// or https:// URL`);
  }
  if (!out.token) throw new ConfigError(`${at}: token is required (or VAULT_TOKEN)`);
  if (!out.keyName) throw new ConfigError(`${at}: key_name is required`);
  return out;
}
