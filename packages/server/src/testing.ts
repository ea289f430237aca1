import { Writable } from 'node:stream';
import type { Node } from '@strongroom/core';
import { runServer, type RunningServer } from './server/run-server.js';

export interface TestServerOptions {
  rootTokenId?: string;
  /** Extra config files layered over the dev configuration (e.g. a telemetry block). */
  configPaths?: string[];
  /** Default `error`: tests stay quiet. */
  logLevel?: string;
  /** Where the banner and logs go; default discarded. */
  output?: Writable;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  rootToken: string;
  node: Node;
  server: RunningServer;
  close(): Promise<void>;
}

/** A dev node (in-memory, unsealed, `secret/` mounted) on a free loopback port. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const sink = opts.output ?? new Writable({ write: (_chunk, _enc, cb) => cb() });
  const server = await runServer({
    dev: true,
    devListenAddress: '127.0.0.1:0',
    ...(opts.rootTokenId ? { devRootTokenId: opts.rootTokenId } : {}),
    ...(opts.configPaths ? { configPaths: opts.configPaths } : {}),
    logLevel: opts.logLevel ?? 'error',
    stdout: sink,
    stderr: sink,
    env: {},
    drainTimeoutMs: 1000,
  });
  return {
    url: server.addresses[0]!,
    rootToken: server.rootToken!,
    node: server.node,
    server,
    close: () => server.close(),
  };
}
