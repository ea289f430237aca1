import type { Writable } from 'node:stream';
import { BUILD_DATE, Node, VERSION } from '@strongroom/core';
import type { Backend, HABackend } from '@strongroom/storage';
import type { ConfigEnv } from '../config/finalize-config.js';
import type { ServerConfig } from '../config/types.js';
import { buildApp } from '../http/build-app.js';
import type { DirectDispatch } from '../http/direct-dispatch.js';
import type { StandbyHandler } from '../http/standby.js';
import { sanitizedConfig } from '../config/sanitized-config.js';
import { InFlightRequests } from '../http/in-flight.js';
import { renderMetrics } from '../http/metrics-route.js';
import { serverLogLevels } from '../logging/log-levels.js';
import { createServerLogger, type ServerLogger } from '../logging/server-logger.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { configurationBanner, devBanner, STARTED_LINE } from './banner.js';
import { ConfigError } from '../config/errors.js';
import { buildSeal } from './build-seal.js';
import { buildHAStorage, buildStorage, describeStorage } from './build-storage.js';
import { bindListener, type Listener } from './listener.js';
import { loadServerConfig } from './load-server-config.js';
import { installSignalHandlers } from './signals.js';
import { installHA, type HAWiring } from './ha-wiring.js';
import { hostInfo } from './host-info.js';

export interface RunServerOptions {
  /** Files or folders, as `server -config=...` (repeatable). */
  configPaths?: string[];
  /** In-memory, unsealed, one key share, `secret/` mounted (Vault's `-dev`). */
  dev?: boolean;
  devRootTokenId?: string;
  /** Default 127.0.0.1:8200; port 0 picks a free port. */
  devListenAddress?: string;
  /** Overrides the files' `log_level`. */
  logLevel?: string;
  /** Banner and log lines; default process.stdout. */
  stdout?: Writable;
  /** Telemetry dumps (SIGUSR1); default process.stderr. */
  stderr?: Writable;
  /** SIGTERM/SIGINT stop, SIGHUP reload, SIGUSR1 dump. Only the process's owner (the CLI) asks for them. */
  installSignalHandlers?: boolean;
  /** Environment for VAULT_API_ADDR, VAULT_CLUSTER_ADDR, CONSUL_HTTP_TOKEN; default process.env. */
  env?: ConfigEnv;
  /** How long stopping waits for in-flight requests; default 10 s. */
  drainTimeoutMs?: number;
  /** Serves what reaches a standby in place of request forwarding; default: forwarding where the node has HA. */
  standby?: StandbyHandler;
}

export interface RunningServer {
  node: Node;
  config: ServerConfig;
  /** One URL per listener, with the port actually bound. */
  addresses: string[];
  /** Dev mode only. */
  rootToken?: string;
  unsealKey?: string;
  logger: ServerLogger;
  metrics: ServerMetrics;
  /** SIGHUP's work: log level from the files, TLS certificates, audit files. */
  reload(): Promise<void>;
  /** SIGUSR1's text: seal/HA state and the metrics. */
  telemetryDump(): Promise<string>;
  /** Drains and stops the listeners, then shuts the node down. Idempotent. */
  close(): Promise<void>;
  /** Settles once the server stopped, whoever stopped it. */
  closed: Promise<void>;
}

const DEFAULT_DRAIN_MS = 10_000;

/** Starts a Strongroom server: storage, node, listeners, banner, and in dev mode an unsealed node with a root token. */
export async function runServer(opts: RunServerOptions = {}): Promise<RunningServer> {
  const env = opts.env ?? process.env;
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  let config = await loadServerConfig(opts, env);
  const logger = createServerLogger({ level: config.logLevel, format: config.logFormat, stream: stdout });
  for (const w of config.warnings) logger.warn(w);

  if (opts.dev && config.seals.length > 0) throw new ConfigError('-dev initializes with one unseal key: it cannot be combined with an auto-unseal seal block');
  // Before the storage: a seal whose key cannot be read stops the start-up with nothing opened.
  const seal = config.seals[0] ? buildSeal(config.seals[0], env, logger) : undefined;
  const storage = await buildStorage(config.storage);
  const haStorage = config.haStorage ? await buildHAStorage(config.haStorage) : undefined;
  const listeners: Listener[] = [];
  // Shared by the node's sys paths and the HTTP layer that records the requests.
  const inFlight = new InFlightRequests();
  let node: Node;
  const built: { metrics?: ServerMetrics } = {};
  let addrs: { apiAddr: string; clusterAddr: string };
  try {
    for (const l of config.listeners) listeners.push(await bindListener(l));
    addrs = boundAddresses(config, listeners[0]!);
    node = new Node({
      storage,
      ...(haStorage ? { haStorage } : {}),
      ...(seal ? { seal } : {}),
      logger,
      apiAddr: addrs.apiAddr,
      clusterAddr: addrs.clusterAddr,
      ...(config.clusterName ? { clusterName: config.clusterName } : {}),
      defaultLeaseTTL: config.defaultLeaseTTL,
      maxLeaseTTL: config.maxLeaseTTL,
      // Read through closures: SIGHUP may load a new configuration.
      server: {
        logLevels: serverLogLevels(logger, () => config.logLevel),
        inFlightRequests: () => inFlight.snapshot(),
        hostInfo,
        // The addresses actually bound (port 0 resolved), as the node advertises them.
        sanitizedConfig: () => sanitizedConfig({ ...config, ...addrs }),
        // The metrics exist once the node does (they read it); no request reaches the node before that.
        metrics: (format, accept) => renderMetrics(built.metrics!, config.telemetry.prometheusRetentionTime, format, accept),
      },
    });
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close(0)));
    await closeStorage(storage, haStorage);
    throw err;
  }
  const metrics = (built.metrics = new ServerMetrics(node));
  // Forwarding and service registration exist only where the storage can hold the HA lock. The active serves
  // forwarded requests through the first listener's HTTP API, built next.
  let dispatch: DirectDispatch = async () => null;
  const ha: HAWiring | null = node.ha
    ? installHA({ node, config, dispatch: (r) => dispatch(r), storage, ...(haStorage ? { haStorage } : {}), metrics, logger })
    : null;
  const standby = opts.standby ?? ha?.clustering;
  const apis = listeners.map((l) =>
    buildApp(node, {
      logger,
      metrics,
      maxRequestSize: l.config.maxRequestSize,
      prometheusRetentionTime: config.telemetry.prometheusRetentionTime,
      unauthenticatedMetricsAccess: l.config.telemetry.unauthenticatedMetricsAccess,
      inFlight,
      ...(standby ? { standby } : {}),
    }),
  );
  listeners.forEach((l, i) => l.setHandler(apis[i]!.app));
  dispatch = apis[0]!.dispatch;

  const info: Record<string, string> = {
    'api address': addrs.apiAddr,
    'cluster address': addrs.clusterAddr,
    'log level': config.logLevel,
    mlock: `supported: false, enabled: false`,
    'recovery mode': 'false',
    // Vault's wording: with a separate HA backend the storage line names the type alone.
    storage: config.haStorage ? config.storage.type : describeStorage(config.storage, storage),
    seal: seal ? seal.type : 'shamir',
    version: `Strongroom v${VERSION}, built ${BUILD_DATE}`,
    'node version': process.version,
  };
  if (config.haStorage) info['HA storage'] = config.haStorage.type;
  listeners.forEach((l, i) => {
    const c = l.config;
    // Port 0 (tests): show the port actually bound, and the cluster port derived from it.
    const addr = c.port === 0 ? c.address.replace(/:0$/, `:${l.port}`) : c.address;
    const clusterAddr = c.port === 0 ? c.clusterAddress.replace(/:\d+$/, `:${l.port + 1}`) : c.clusterAddress;
    info[`listener ${i + 1}`] =
      `tcp (addr: "${addr}", cluster address: "${clusterAddr}", max_request_size: "${c.maxRequestSize}", tls: "${l.tls ? 'enabled' : 'disabled'}")`;
  });
  stdout.write(configurationBanner(info));
  stdout.write(STARTED_LINE);

  let uninstallSignals: (() => void) | null = null;
  let closing: Promise<void> | null = null;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const close = (): Promise<void> => {
    closing ??= (async () => {
      uninstallSignals?.();
      const drainMs = opts.drainTimeoutMs ?? DEFAULT_DRAIN_MS;
      await Promise.all(listeners.map((l) => l.close(drainMs)));
      try {
        await node.shutdown();
        await ha?.close();
      } finally {
        if (haStorage && haStorage !== (storage as unknown)) await haStorage.close?.();
        logger.info('server stopped');
        markClosed();
      }
    })();
    return closing;
  };

  const running: RunningServer = {
    node,
    config,
    addresses: listeners.map((l) => l.url),
    logger,
    metrics,
    async reload() {
      if ((opts.configPaths ?? []).length > 0) {
        config = await loadServerConfig(opts, env);
        running.config = config;
      }
      logger.setLevel(config.logLevel);
      await Promise.all(listeners.map((l) => l.reloadTls()));
      await node.reloadAudit();
      logger.info('configuration reloaded', { log_level: config.logLevel });
    },
    async telemetryDump() {
      const ha = node.haStatus();
      const state = [
        `==> Strongroom telemetry dump at ${new Date().toISOString()}`,
        `sealed: ${node.isSealed()}`,
        `active: ${node.isActive()}`,
        `ha_enabled: ${ha.enabled}`,
        `leader_address: ${ha.leaderAddress}`,
        '',
      ].join('\n');
      return `${state}${await metrics.prometheusText()}\n`;
    },
    close,
    closed,
  };

  try {
    if (opts.dev) {
      const dev = await node.devSetup(opts.devRootTokenId ? { rootTokenId: opts.devRootTokenId } : {});
      running.rootToken = dev.rootToken;
      running.unsealKey = dev.unsealKey;
      stdout.write(devBanner({ apiAddr: addrs.apiAddr, unsealKey: dev.unsealKey, rootToken: dev.rootToken }));
    }
  } catch (err) {
    await close();
    throw err;
  }

  // Unattended start: the node unseals itself once its seal answers (and the storage is initialized).
  node.startAutoUnseal();

  if (opts.installSignalHandlers) {
    uninstallSignals = installSignalHandlers(
      {
        stop: close,
        reload: () => running.reload(),
        dump: async () => {
          stderr.write(await running.telemetryDump());
        },
      },
      logger,
    );
  }
  return running;
}

/** api_addr / cluster_addr with a listener's port 0 replaced by the port it actually bound (tests, `-dev-listen-address=:0`). */
function boundAddresses(config: ServerConfig, first: Listener): { apiAddr: string; clusterAddr: string } {
  let apiAddr = config.apiAddr;
  let clusterAddr = config.clusterAddr;
  const api = new URL(apiAddr);
  if (api.port === '0') {
    api.port = String(first.port);
    apiAddr = api.origin;
    const cluster = new URL(clusterAddr);
    // The derived default was "api port + 1".
    if (cluster.port === '1') {
      cluster.port = String(first.port + 1);
      clusterAddr = cluster.origin;
    }
  }
  return { apiAddr, clusterAddr };
}

async function closeStorage(storage: Backend, haStorage: HABackend | undefined): Promise<void> {
  await storage.close?.();
  if (haStorage && haStorage !== (storage as unknown)) await haStorage.close?.();
}
