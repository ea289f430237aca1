import type { Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import { readJSON, writeJSON } from '../util/json-entry.js';

/** A static role as stored at `static-role/<name>`: an existing database user whose password this engine rotates. */
export interface StaticRole {
  db_name: string;
  username: string;
  /** Seconds; 0 when a schedule is used. */
  rotation_period: number;
  rotation_schedule: string;
  rotation_statements: string[];
  /** The current password; empty until the first rotation. */
  password: string;
  /** Unix ms of the last rotation by this engine; 0 = none yet. */
  last_rotation: number;
  /** Unix ms the next rotation is due. Stored, so a new active node resumes the schedule exactly. */
  next_rotation: number;
}

/** Vault's floor for `rotation_period`. */
export const MIN_ROTATION_PERIOD = 5;

export class StaticRoles {
  constructor(private readonly storage: Backend) {}

  get(name: string): Promise<StaticRole | null> {
    return readJSON<StaticRole>(this.storage, `static-role/${name}`);
  }

  async require(name: string): Promise<StaticRole> {
    const r = await this.get(name);
    if (!r) throw new InvalidRequestError(`unknown static role: ${name}`);
    return r;
  }

  put(name: string, role: StaticRole): Promise<void> {
    return writeJSON(this.storage, `static-role/${name}`, role);
  }

  delete(name: string): Promise<void> {
    return this.storage.delete(`static-role/${name}`);
  }

  list(): Promise<string[]> {
    return this.storage.list('static-role/');
  }
}
