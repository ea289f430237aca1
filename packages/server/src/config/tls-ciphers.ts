import { ConfigError } from './errors.js';

/**
 * Vault's `tls_cipher_suites` names (Go's) to OpenSSL's. Only TLS 1.2 suites are configurable, as in Go; TLS 1.3's
 * suites are all AEAD and always on. CBC and RSA-key-exchange suites are refused: they are what the option is
 * usually meant to keep out, and Go's own list marks them insecure.
 */
const GO_TO_OPENSSL: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
};

const TLS13 = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];
const TLS12_DEFAULT = Object.values(GO_TO_OPENSSL).filter((v, i, a) => a.indexOf(v) === i);

/** The default: ECDHE key exchange and AEAD ciphers only. */
export const DEFAULT_CIPHERS = [...TLS13, ...TLS12_DEFAULT].join(':');

/** An OpenSSL cipher string from Vault's comma-separated names; an unknown or weak name refuses the configuration. */
export function ciphersFromVault(names: string[], where: string): string {
  const out: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    const mapped = Object.prototype.hasOwnProperty.call(GO_TO_OPENSSL, name) ? GO_TO_OPENSSL[name] : undefined;
    if (!mapped) {
      throw new ConfigError(`${where}: unsupported cipher suite ${JSON.stringify(name)} (supported: ${Object.keys(GO_TO_OPENSSL).join(', ')})`);
    }
    if (!out.includes(mapped)) out.push(mapped);
  }
  if (out.length === 0) throw new ConfigError(`${where}: no cipher suite given`);
  return [...TLS13, ...out].join(':');
}
