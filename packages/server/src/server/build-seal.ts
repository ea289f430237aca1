import { readFileSync } from 'node:fs';
import { KEY_BYTES, StaticSeal, TransitSeal, type AutoSeal, type SealLogger } from '@strongroom/barrier';
import type { ConfigEnv } from '../config/finalize-config.js';
import { ConfigError } from '../config/errors.js';
import type { SealBlockConfig } from '../config/seal-config.js';

/**
 * The auto-unseal seal a configuration names, with its keys read now: a key that cannot be read or has the wrong
 * length stops the start-up with an error naming the block and the key, never later at the first unseal.
 */
export function buildSeal(c: SealBlockConfig, env: ConfigEnv, logger: SealLogger): AutoSeal {
  const at = `seal "${c.type}"`;
  if (c.type === 'static') {
    return new StaticSeal({
      currentKeyId: c.currentKeyId,
      currentKey: readKey(c.currentKey, `${at}: current_key`, env),
      ...(c.previousKeyId && c.previousKey ? { previousKeyId: c.previousKeyId, previousKey: readKey(c.previousKey, `${at}: previous_key`, env) } : {}),
    });
  }
  try {
    return new TransitSeal({
      address: c.address,
      token: c.token,
      keyName: c.keyName,
      mountPath: c.mountPath,
      disableRenewal: c.disableRenewal,
      tlsSkipVerify: c.tlsSkipVerify,
      logger,
      ...(c.namespace ? { namespace: c.namespace } : {}),
      ...(c.tlsCaCert ? { tlsCaCert: c.tlsCaCert } : {}),
      ...(c.tlsClientCert ? { tlsClientCert: c.tlsClientCert } : {}),
      ...(c.tlsClientKey ? { tlsClientKey: c.tlsClientKey } : {}),
      ...(c.tlsServerName ? { tlsServerName: c.tlsServerName } : {}),
    });
  } catch (err) {
    // The TLS files are read when the seal is built.
    throw new ConfigError(`${at}: ${(err as Error).message}`, { cause: err });
  }
}

/** OpenBao's key sources: `file://<path>` (the raw 32 bytes, or hex or base64 text), `env://<variable>`, or the key itself in hex or base64. */
export function readKey(source: string, where: string, env: ConfigEnv): Uint8Array {
  if (source.startsWith('file://')) {
    const file = source.slice('file://'.length);
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch (err) {
      throw new ConfigError(`${where}: cannot read ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    if (raw.length === KEY_BYTES) return new Uint8Array(raw);
    return decodeKeyText(raw.toString('utf8'), `${where} (file ${JSON.stringify(file)}, ${raw.length} bytes)`);
  }
  if (source.startsWith('env://')) {
    const name = source.slice('env://'.length);
    const value = env[name];
    if (value === undefined || value === '') throw new ConfigError(`${where}: environment variable ${name} is not set`);
    return decodeKeyText(value, `${where} (environment variable ${name})`);
  }
  return decodeKeyText(source, where);
}

function decodeKeyText(text: string, where: string): Uint8Array {
  const t = text.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]+$/.test(t) && t.length % 2 === 0) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) key = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
  if (!key) throw new ConfigError(`${where}: the key must be ${KEY_BYTES} bytes, raw in a file or as hex or base64 text`);
  if (key.length !== KEY_BYTES) throw new ConfigError(`${where}: the key must be ${KEY_BYTES} bytes, got ${key.length}`);
  return new Uint8Array(key);
}
