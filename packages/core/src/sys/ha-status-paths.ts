import type { PathDef } from '../framework/path.js';
import type { HAPeer } from '../ha/ha-manager.js';
import { rfc3339Nano } from '../util/rfc3339-nano.js';

/** What `sys/ha-status` lists: the node answering (the active) and the standbys it heard from. */
export interface HAMembers {
  self(): { hostname: string; apiAddress: string; clusterAddress: string; version: string };
  peers(): readonly HAPeer[];
}

/** `sys/ha-status`, Vault's HAStatusNode list; served by the active, which standbys forward to. */
export function haStatusPaths({ haMembers }: { haMembers: HAMembers }): PathDef[] {
  return [
    {
      pattern: 'ha-status',
      operations: {
        read: async () => {
          const self = haMembers.self();
          const nodes: Record<string, unknown>[] = [
            {
              hostname: self.hostname,
              api_address: self.apiAddress,
              cluster_address: self.clusterAddress,
              active_node: true,
              last_echo: null,
              echo_duration_ms: 0,
              clock_skew_ms: 0,
              version: self.version,
              // Enterprise fields in Vault; present and empty so every client finds the keys it knows.
              upgrade_version: '',
              redundancy_zone: '',
              replication_primary_canary_age_ms: 0,
            },
          ];
          for (const p of haMembers.peers()) {
            nodes.push({
              hostname: p.hostname,
              api_address: p.apiAddress,
              cluster_address: p.clusterAddress,
              active_node: false,
              last_echo: rfc3339Nano(p.lastEcho),
              echo_duration_ms: p.echoDurationMs,
              clock_skew_ms: p.clockSkewMs,
              version: p.version,
              upgrade_version: '',
              redundancy_zone: '',
              replication_primary_canary_age_ms: 0,
            });
          }
          return { data: { nodes } };
        },
      },
      helpSynopsis: 'The nodes of the HA cluster: the active and the standbys it heard from.',
    },
  ];
}
