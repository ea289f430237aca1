import { randomUUID } from 'node:crypto';
import type { Backend } from '@strongroom/storage';

const CLUSTER_INFO_PATH = 'core/cluster/local/info';

export interface ClusterInfo {
  name: string;
  id: string;
}

/**
 * The cluster's name and id from the barrier. With `create` (a name, or null for a generated one) they are made
 * when absent: the first active node does so and every other node reads the same values.
 */
export async function readClusterInfo(barrier: Backend, create?: string | null): Promise<ClusterInfo | null> {
  const raw = await barrier.get(CLUSTER_INFO_PATH);
  if (raw) return JSON.parse(Buffer.from(raw).toString('utf8')) as ClusterInfo;
  if (create === undefined) return null;
  const info = { name: create ?? `strongroom-cluster-${randomUUID().slice(0, 8)}`, id: randomUUID() };
  await barrier.put(CLUSTER_INFO_PATH, Buffer.from(JSON.stringify(info)));
  return info;
}
