import { randomUUID } from 'node:crypto';
import type { Backend } from '@strongroom/storage';

const CLUSTER_INFO_PATH = 'core/cluster/local/info';

/**
 * The cluster's name and id, kept in the barrier (`core/cluster/local/info`). The first active node makes them
 * (with the configured name, or a generated one) and every other node reads the same values once unsealed.
 */
export class ClusterInfo {
  name: string;
  id = '';

  constructor(
    private readonly barrier: Backend,
    private readonly configuredName: string | undefined,
    /** Shown until the stored name is known (a sealed node). */
    provisionalName: string,
  ) {
    this.name = configuredName ?? provisionalName;
  }

  /** Reads the stored values; with `create`, makes them when absent. */
  async load(create: boolean): Promise<void> {
    const raw = await this.barrier.get(CLUSTER_INFO_PATH);
    let info: { name: string; id: string } | null = raw ? (JSON.parse(Buffer.from(raw).toString('utf8')) as { name: string; id: string }) : null;
    if (!info && create) {
      info = { name: this.configuredName ?? `strongroom-cluster-${randomUUID().slice(0, 8)}`, id: randomUUID() };
      await this.barrier.put(CLUSTER_INFO_PATH, Buffer.from(JSON.stringify(info)));
    }
    if (info) ({ name: this.name, id: this.id } = info);
  }
}
