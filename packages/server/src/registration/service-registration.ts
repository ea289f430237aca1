import type { ConsulClient } from '@strongroom/storage';

export interface ServiceRegistrationOptions {
  client: ConsulClient;
  /** Service name, default `strongroom`. */
  service: string;
  extraTags: string[];
  /** The api_addr other services reach this node at. */
  apiAddr: string;
  /** TTL of the sealed-status check; refreshed at a third of it. */
  checkTtlMs: number;
  state: () => { sealed: boolean; active: boolean };
  logger: { warn(message: string, meta?: Record<string, unknown>): void };
}

/**
 * Registers the node in Consul's catalog with tag `active` or `standby` and a TTL check that passes while the node
 * is unsealed. The node refreshes the check itself, so a dead or frozen node goes critical one TTL after its last
 * refresh and `active.<service>.service.consul` stops naming it.
 */
export class ServiceRegistration {
  readonly serviceId: string;
  readonly checkId: string;
  private timer: NodeJS.Timeout | null = null;
  private registeredTags = '';
  private running = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly o: ServiceRegistrationOptions) {
    const url = new URL(o.apiAddr);
    this.serviceId = `${o.service}:${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
    this.checkId = `${this.serviceId}:strongroom-sealed-check`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      this.busy = this.reconcile().catch((err: Error) => this.o.logger.warn('consul service registration failed', { error: err.message }));
    };
    tick();
    this.timer = setInterval(tick, Math.max(200, Math.floor(this.o.checkTtlMs / 3)));
    this.timer.unref();
  }

  /** Call on every state change (unseal, seal, active, standby) for the catalog to follow at once. */
  notify(): void {
    if (!this.running) return;
    this.busy = this.busy.then(() => this.reconcile()).catch((err: Error) => this.o.logger.warn('consul service registration failed', { error: err.message }));
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.busy.catch(() => undefined);
    await this.o.client.serviceDeregister(this.serviceId).catch(() => undefined);
    this.registeredTags = '';
  }

  tags(): string[] {
    const s = this.o.state();
    return [s.active ? 'active' : 'standby', ...this.o.extraTags];
  }

  private async reconcile(): Promise<void> {
    if (!this.running) return;
    const s = this.o.state();
    const tags = this.tags();
    const key = tags.join(',');
    if (key !== this.registeredTags) {
      const url = new URL(this.o.apiAddr);
      await this.o.client.serviceRegister({
        name: this.o.service,
        id: this.serviceId,
        tags,
        address: url.hostname,
        port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        meta: { 'external-source': 'strongroom' },
        check: { id: this.checkId, name: 'Strongroom Sealed Status', ttl: `${Math.ceil(this.o.checkTtlMs / 1000)}s`, status: s.sealed ? 'critical' : 'passing' },
      });
      this.registeredTags = key;
    }
    if (s.sealed) await this.o.client.checkFail(this.checkId, 'Strongroom Sealed');
    else await this.o.client.checkPass(this.checkId, 'Strongroom Unsealed');
  }
}
