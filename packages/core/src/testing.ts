import { InmemBackend, type Backend } from '@strongroom/storage';
import { Node, type NodeOptions } from './node.js';
import type { Operation, Request, Response } from './logical/request.js';

/** A dev-mode node over in-memory storage: initialized with one share, unsealed, active, `secret/` as kv v2. */
export async function testCoreUnsealed(o: Partial<NodeOptions> & { storage?: Backend } = {}): Promise<{ core: Node; rootToken: string; unsealKey: string }> {
  const core = new Node({ ...o, storage: o.storage ?? new InmemBackend() });
  const { rootToken, unsealKey } = await core.devSetup();
  return { core, rootToken, unsealKey };
}

/** Sends one logical request as the HTTP layer would. */
export function request(core: Node, operation: Operation, path: string, token: string, data: Record<string, unknown> = {}, extra: Partial<Request> = {}): Promise<Response> {
  return core.handleRequest({ id: '', operation, path, data, clientToken: token, headers: {}, ...extra });
}
export { postgresAvailable, startPostgres, type PostgresServer } from './testing/postgres-process.js';
