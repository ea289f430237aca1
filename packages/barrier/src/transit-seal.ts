import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { DecryptFailedError, SealUnavailableError } from './errors.js';
import type { AutoSeal, SealLogger, WrappedKey } from './seal.js';

/** Vault's `seal "transit"` keys, already defaulted (token from VAULT_TOKEN by the caller). */
export interface TransitSealOptions {
  address: string;
  token: string;
  keyName: string;
  /** Default `transit/`. */
  mountPath?: string;
  namespace?: string;
  disableRenewal?: boolean;
  tlsCaCert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
  tlsServerName?: string;
  tlsSkipVerify?: boolean;
  /** Per request; default 10 s, so an unsealer that hangs does not hold the node's unseal loop. */
  timeoutMs?: number;
  logger?: SealLogger;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Renewal when the token's TTL is unknown, or failed: try again after this long. */
const RENEW_RETRY_MS = 30_000;

/**
 * Vault's transit seal: the root key is encrypted and decrypted by a transit key of another cluster (Vault,
 * OpenBao or Strongroom), over its HTTP API. That cluster must be reachable for this node to unseal.
 */
export class TransitSeal implements AutoSeal {
  readonly type = 'transit' as const;
  private readonly base: URL;
  private readonly mount: string;
  private readonly agent: http.Agent;
  private renewTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly o: TransitSealOptions) {
    this.base = new URL(o.address);
    this.mount = (o.mountPath ?? 'transit/').replace(/^\/+/, '').replace(/\/*$/, '/');
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ...(o.tlsCaCert ? { ca: readFileSync(o.tlsCaCert) } : {}),
            ...(o.tlsClientCert ? { cert: readFileSync(o.tlsClientCert) } : {}),
            ...(o.tlsClientKey ? { key: readFileSync(o.tlsClientKey) } : {}),
            ...(o.tlsServerName ? { servername: o.tlsServerName } : {}),
            rejectUnauthorized: !o.tlsSkipVerify,
          })
        : new http.Agent({ keepAlive: true });
  }

  async wrap(plain: Uint8Array): Promise<WrappedKey> {
    const body = await this.call('POST', `${this.mount}encrypt/${encodeURIComponent(this.o.keyName)}`, { plaintext: Buffer.from(plain).toString('base64') });
    const ciphertext = body?.data?.ciphertext;
    if (typeof ciphertext !== 'string') throw new SealUnavailableError('the transit seal answered encrypt without a ciphertext');
    return { type: 'transit', key_id: `${this.o.keyName}:${/^vault:(v\d+):/.exec(ciphertext)?.[1] ?? 'v?'}`, ciphertext };
  }

  async unwrap(w: WrappedKey): Promise<{ plain: Uint8Array; stale: boolean }> {
    const body = await this.call('POST', `${this.mount}decrypt/${encodeURIComponent(this.o.keyName)}`, { ciphertext: w.ciphertext });
    const plaintext = body?.data?.plaintext;
    if (typeof plaintext !== 'string') throw new SealUnavailableError('the transit seal answered decrypt without a plaintext');
    return { plain: new Uint8Array(Buffer.from(plaintext, 'base64')), stale: false };
  }

  /** Keeps the token alive at half its TTL, unless `disable_renewal` (the token is then someone else's job). */
  start(): void {
    if (this.o.disableRenewal || this.renewTimer || this.stopped) return;
    this.scheduleRenewal(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = null;
    this.agent.destroy();
  }

  describe(): Record<string, unknown> {
    return { type: 'transit', address: this.base.origin, key_name: this.o.keyName, mount_path: this.mount };
  }

  private scheduleRenewal(ms: number): void {
    if (this.stopped) return;
    this.renewTimer = setTimeout(() => void this.renew(), ms);
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    let next = RENEW_RETRY_MS;
    try {
      const look = await this.call('GET', 'auth/token/lookup-self');
      const renewable = look?.data?.renewable === true;
      const ttl = Number(look?.data?.ttl ?? 0);
      if (!renewable || ttl <= 0) {
        // A root or non-renewable token: nothing to renew, ever.
        this.o.logger?.info('transit seal token is not renewable; renewal stopped', { renewable, ttl });
        return;
      }
      const renewed = await this.call('POST', 'auth/token/renew-self', {});
      const newTtl = Number(renewed?.auth?.lease_duration ?? ttl);
      next = Math.max(1000, (newTtl * 1000) / 2);
      this.o.logger?.info('transit seal token renewed', { ttl: newTtl });
    } catch (err) {
      this.o.logger?.warn('transit seal token renewal failed; will retry', { error: (err as Error).message });
    }
    this.scheduleRenewal(next);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private call(method: string, path: string, body?: unknown): Promise<any> {
    const url = new URL(`/v1/${path}`, this.base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { 'X-Vault-Token': this.o.token, 'X-Vault-Request': 'true' };
    if (this.o.namespace) headers['X-Vault-Namespace'] = this.o.namespace;
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(payload.length) });
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers, agent: this.agent, timeout: this.o.timeoutMs ?? DEFAULT_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new SealUnavailableError(`transit seal at ${this.base.origin}: ${err.message}`, { cause: err })));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: the status says enough
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(parsed);
          const errors = (parsed as { errors?: unknown } | null)?.errors;
          const detail = Array.isArray(errors) ? errors.join('; ') : text.slice(0, 200);
          const msg = `transit seal at ${this.base.origin} answered ${status} to ${path}: ${detail}`;
          // A 400 on decrypt is a ciphertext the key does not open; anything else may pass (sealed, restarting).
          reject(status === 400 && path.includes('/decrypt/') ? new DecryptFailedError(msg) : new SealUnavailableError(msg));
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => reject(new SealUnavailableError(`transit seal at ${this.base.origin} unreachable: ${err.message}`, { cause: err })));
      req.end(payload);
    });
  }
}
