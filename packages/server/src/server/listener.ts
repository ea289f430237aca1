import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { ConfigError } from '../config/errors.js';
import type { ListenerConfig } from '../config/types.js';
import { formatHostPort } from '../config/values.js';
import { installListShim } from '../http/list-shim.js';

/** One bound `listener "tcp"`: its server, the URL it answers on, and the handler it is given once the node exists. */
export interface Listener {
  readonly config: ListenerConfig;
  readonly server: HttpServer | HttpsServer;
  readonly tls: boolean;
  /** `http://127.0.0.1:8200` with the port actually bound. */
  readonly url: string;
  readonly port: number;
  setHandler(handler: RequestListener): void;
  /** Re-reads the certificate and key (SIGHUP); new connections use them. */
  reloadTls(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish for up to `drainMs`, then cuts what is left. */
  close(drainMs: number): Promise<void>;
}

async function tlsOptions(cfg: ListenerConfig): Promise<SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean }> {
  const read = async (file: string | undefined, key: string): Promise<Buffer> => {
    try {
      return await readFile(file!);
    } catch (err) {
      throw new ConfigError(`listener "tcp" (${cfg.address}): cannot read ${key} ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err });
    }
  };
  const clientCa = cfg.tlsClientCaFile !== undefined ? await read(cfg.tlsClientCaFile, 'tls_client_ca_file') : undefined;
  // Vault asks for a client certificate whenever it has a CA for them (or must verify one), and refuses the
  // handshake without a valid one only when told to.
  const requestCert = !cfg.tlsDisableClientCerts && (cfg.tlsRequireClientCert || clientCa !== undefined);
  return {
    cert: await read(cfg.tlsCertFile, 'tls_cert_file'),
    key: await read(cfg.tlsKeyFile, 'tls_key_file'),
    minVersion: cfg.tlsMinVersion === 'tls13' ? 'TLSv1.3' : 'TLSv1.2',
    maxVersion: cfg.tlsMaxVersion === 'tls12' ? 'TLSv1.2' : 'TLSv1.3',
    ciphers: cfg.tlsCiphers,
    ...(clientCa ? { ca: clientCa } : {}),
    requestCert,
    rejectUnauthorized: cfg.tlsRequireClientCert,
  };
}

/**
 * Vault's HTTP timeouts as Node's: `http_read_header_timeout` -> `headersTimeout`, `http_read_timeout` ->
 * `requestTimeout`, `http_idle_timeout` -> `keepAliveTimeout` (0 or unset: Node's defaults). Node checks the first
 * two only every `connectionsCheckingInterval` (30 s by default), so the interval follows the shortest; the
 * request timeout may not be shorter than the header timeout.
 */
function timeouts(cfg: ListenerConfig): { headersTimeout?: number; requestTimeout?: number; keepAliveTimeout?: number; connectionsCheckingInterval?: number } {
  const out: { headersTimeout?: number; requestTimeout?: number; keepAliveTimeout?: number; connectionsCheckingInterval?: number } = {};
  const header = cfg.httpReadHeaderTimeoutMs || undefined;
  const read = cfg.httpReadTimeoutMs || undefined;
  // Node refuses a header timeout longer than the request timeout: a short read timeout bounds both.
  if (header !== undefined || read !== undefined) out.headersTimeout = header ?? Math.min(60_000, read!);
  if (read !== undefined || header !== undefined) out.requestTimeout = Math.max(read ?? 300_000, header ?? 0);
  if (cfg.httpIdleTimeoutMs) out.keepAliveTimeout = cfg.httpIdleTimeoutMs;
  const shortest = Math.min(header ?? Infinity, read ?? Infinity);
  if (shortest !== Infinity) out.connectionsCheckingInterval = Math.min(30_000, Math.max(100, Math.floor(shortest / 4)));
  return out;
}

/** Binds a listener before the node exists; requests get 503 until `setHandler`. */
export async function bindListener(cfg: ListenerConfig): Promise<Listener> {
  let handler: RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.setHeader('Content-Type', 'application/json');
    res.end('{"errors":["server is starting"]}');
  };
  const dispatch: RequestListener = (req, res) => handler(req, res);
  const tls = !cfg.tlsDisable;
  const server: HttpServer | HttpsServer = tls ? createHttpsServer({ ...(await tlsOptions(cfg)), ...timeouts(cfg) }, dispatch) : createHttpServer(timeouts(cfg), dispatch);
  installListShim(server);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      reject(new ConfigError(`listener "tcp": cannot listen on ${cfg.address}: ${err.message}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(cfg.port, cfg.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host;
  return {
    config: cfg,
    server,
    tls,
    port,
    url: `${tls ? 'https' : 'http'}://${formatHostPort(host, port)}`,
    setHandler(h) {
      handler = h;
    },
    async reloadTls() {
      if (tls) (server as HttpsServer).setSecureContext(await tlsOptions(cfg));
    },
    close(drainMs) {
      return new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        const timer = setTimeout(() => server.closeAllConnections(), drainMs);
        // Keep-alive connections become idle as their requests finish: close each as soon as it does.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(timer);
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
