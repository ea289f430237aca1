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

async function tlsOptions(cfg: ListenerConfig): Promise<SecureContextOptions> {
  const read = async (file: string | undefined, key: string): Promise<Buffer> => {
    try {
      return await readFile(file!);
    } catch (err) {
      throw new ConfigError(`listener "tcp" (${cfg.address}): cannot read ${key} ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    cert: await read(cfg.tlsCertFile, 'tls_cert_file'),
    key: await read(cfg.tlsKeyFile, 'tls_key_file'),
    minVersion: cfg.tlsMinVersion === 'tls13' ? 'TLSv1.3' : 'TLSv1.2',
  };
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
  const server: HttpServer | HttpsServer = tls ? createHttpsServer(await tlsOptions(cfg), dispatch) : createHttpServer(dispatch);
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
