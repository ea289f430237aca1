import { InvalidRequestError } from '../errors.js';
import { KeyedLock } from '../util/keyed-lock.js';
import type { Logger } from '../util/logger.js';
import type { DatabaseConnections } from './database-connections.js';
import { DEFAULT_STATIC_ROTATION_STATEMENTS, databaseError, generatePassword, renderStatement, runInTransaction, scramVerifier } from './database-postgres.js';
import { parseCron } from './database-schedule.js';
import type { StaticRole, StaticRoles } from './database-static-store.js';

/** Node's timers fire at once past 2^31-1 ms: longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** After a failed rotation (database down), the next try. */
const RETRY_MS = 10_000;

/**
 * Rotates static roles' passwords on their schedule, on the active node only: it starts when the mount is loaded
 * there and stops when the node steps down or seals. The due time of each rotation is stored with the role, so
 * the next active node resumes the schedule: an overdue rotation runs once, and none is skipped or repeated.
 */
export class StaticRotator {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly locks = new KeyedLock();
  private stopped = false;

  constructor(
    private readonly d: { roles: StaticRoles; connections: DatabaseConnections; now: () => Date; logger: Logger },
  ) {}

  /** Arms a timer for every stored static role. */
  async start(): Promise<void> {
    for (const name of await this.d.roles.list()) {
      const role = await this.d.roles.get(name);
      if (role) this.schedule(name, role);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  forget(name: string): void {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  /** Stores a static role; a new one (or `rotate`) has its password rotated first. */
  async save(name: string, role: StaticRole, rotate: boolean): Promise<void> {
    await this.locks.run(name, async () => {
      if (rotate) {
        await this.rotate(name, role);
        return;
      }
      const next = nextDue(role, role.last_rotation || this.d.now().getTime());
      await this.d.roles.put(name, { ...role, next_rotation: next });
      this.schedule(name, { ...role, next_rotation: next });
    });
  }

  async rotateNow(name: string): Promise<void> {
    await this.locks.run(name, async () => this.rotate(name, await this.d.roles.require(name)));
  }

  private async rotate(name: string, role: StaticRole): Promise<void> {
    const { pool, config } = await this.d.connections.pool(role.db_name);
    const password = generatePassword();
    const secret = config.password_authentication === 'scram-sha-256' ? scramVerifier(password) : password;
    const statements = role.rotation_statements.length ? role.rotation_statements : DEFAULT_STATIC_ROTATION_STATEMENTS;
    try {
      await runInTransaction(pool, statements.map((s) => renderStatement(s, { name: role.username, username: role.username, password: secret })));
    } catch (err) {
      throw databaseError(`failed to rotate the password of static role "${name}"`, err);
    }
    const now = this.d.now().getTime();
    const rotated: StaticRole = { ...role, password, last_rotation: now, next_rotation: nextDue(role, now) };
    await this.d.roles.put(name, rotated);
    this.schedule(name, rotated);
  }

  private schedule(name: string, role: StaticRole, delayOverride?: number): void {
    if (this.stopped) return;
    this.forget(name);
    const wait = delayOverride ?? Math.max(0, role.next_rotation - this.d.now().getTime());
    const t = setTimeout(() => void this.fire(name), Math.min(wait, MAX_TIMER_MS));
    t.unref();
    this.timers.set(name, t);
  }

  private async fire(name: string): Promise<void> {
    await this.locks
      .run(name, async () => {
        if (this.stopped) return;
        const role = await this.d.roles.get(name);
        if (!role) return;
        // Re-armed, not rotated, when the due time moved (a long wait in steps, or a rotation by hand meanwhile).
        if (role.next_rotation > this.d.now().getTime()) return this.schedule(name, role);
        try {
          await this.rotate(name, role);
        } catch (err) {
          this.d.logger.warn('static role rotation failed; retrying', { role: name, error: (err as Error).message });
          this.schedule(name, role, RETRY_MS);
        }
      })
      .catch((err: Error) => this.d.logger.error('static role rotation failed', { role: name, error: err.message }));
  }
}

/** When a role rotated at `fromMs` is next due: its period later, or its schedule's next time. */
export function nextDue(role: StaticRole, fromMs: number): number {
  if (role.rotation_schedule) return parseCron(role.rotation_schedule).next(new Date(fromMs)).getTime();
  if (role.rotation_period <= 0) throw new InvalidRequestError('static role has neither a rotation period nor a schedule');
  return fromMs + role.rotation_period * 1000;
}
