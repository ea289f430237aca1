import type { HAPeer } from '@strongroom/core';
import type { EchoRequest } from './forwarding-service.js';

/**
 * The standbys an active heard from through their heartbeats, for `sys/ha-status`. A standby that stopped
 * heartbeating drops out after `ttlMs` (Vault keeps its peers three heartbeat intervals).
 */
export class PeerRegistry {
  private readonly peers = new Map<string, HAPeer>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  record(echo: EchoRequest): void {
    this.peers.set(echo.nodeId, {
      nodeId: echo.nodeId,
      hostname: echo.hostname ?? '',
      apiAddress: echo.apiAddr ?? '',
      clusterAddress: echo.clusterAddr ?? '',
      version: echo.version ?? '',
      lastEcho: new Date(this.now()),
      echoDurationMs: echo.echoDurationMs ?? 0,
      clockSkewMs: echo.clockSkewMs ?? 0,
    });
  }

  /** The peers heard from within the window, by node id for a stable order. */
  list(): HAPeer[] {
    const cutoff = this.now() - this.ttlMs;
    for (const [id, p] of this.peers) if (p.lastEcho.getTime() < cutoff) this.peers.delete(id);
    return [...this.peers.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  /** A node that becomes active starts over, as Vault's peer cache does. */
  clear(): void {
    this.peers.clear();
  }
}
