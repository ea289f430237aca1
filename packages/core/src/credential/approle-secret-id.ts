import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Backend } from '@strongroom/storage';
import { decodeJSON, encodeJSON } from '../util/json-entry.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { InvalidRequestError } from '../errors.js';

/** A secret ID as stored at `secret_id/<role>/<hmac>`; the secret ID itself exists only as that HMAC. */
export interface SecretIdEntry {
  secret_id_hmac: string;
  secret_id_accessor: string;
  metadata: Record<string, string>;
  /** Uses left; 0 = unlimited. */
  secret_id_num_uses: number;
  /** Seconds; 0 = no expiry. */
  secret_id_ttl: number;
  creation_time: string;
  /** Empty when the secret ID never expires. */
  expiration_time: string;
  last_updated_time: string;
}

const SECRET_ID_PREFIX = 'secret_id/';
/** Index from an accessor to the HMAC of its secret ID, so an accessor can look up or destroy it. */
const ACCESSOR_PREFIX = 'accessor/';
/** Go's zero time, which Vault shows for a secret ID that never expires. */
const NO_EXPIRY = '0001-01-01T00:00:00Z';

/** Reads `metadata`: a JSON string (as Vault takes it) or an object, of string values only. */
export function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null || raw === '') return {};
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new InvalidRequestError('failed to parse "metadata": expected a JSON object of strings');
    }
  }
  if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new InvalidRequestError('failed to parse "metadata": expected a JSON object of strings');
  }
  return { ...(value as Record<string, string>) };
}

/** What a lookup of a secret ID shows, never the secret ID or its HMAC. */
export function secretIdData(e: SecretIdEntry): Record<string, unknown> {
  return {
    cidr_list: [],
    creation_time: e.creation_time,
    expiration_time: e.expiration_time || NO_EXPIRY,
    last_updated_time: e.last_updated_time,
    metadata: e.metadata,
    secret_id_accessor: e.secret_id_accessor,
    secret_id_num_uses: e.secret_id_num_uses,
    secret_id_ttl: e.secret_id_ttl,
    token_bound_cidrs: [],
  };
}

/** The secret IDs of one mount, keyed by role and by the HMAC of the secret ID. */
export class SecretIdStore {
  constructor(
    private readonly storage: Backend,
    private readonly hmac: (value: string) => Promise<string>,
    private readonly now: () => Date,
  ) {}

  /** Issues a new secret ID for `role`; the caller sees the raw value once, storage only its HMAC. */
  async create(role: string, o: { metadata: Record<string, string>; numUses: number; ttl: number }): Promise<{ secretId: string; entry: SecretIdEntry }> {
    const secretId = randomUUID();
    const now = this.now();
    const entry: SecretIdEntry = {
      secret_id_hmac: await this.hmac(secretId),
      secret_id_accessor: randomUUID(),
      metadata: o.metadata,
      secret_id_num_uses: o.numUses,
      secret_id_ttl: o.ttl,
      creation_time: now.toISOString(),
      expiration_time: o.ttl > 0 ? new Date(now.getTime() + o.ttl * 1000).toISOString() : '',
      last_updated_time: now.toISOString(),
    };
    await this.storage.put(this.accessorKey(role, entry.secret_id_accessor), encodeJSON({ secret_id_hmac: entry.secret_id_hmac }));
    await this.storage.put(this.entryKey(role, entry.secret_id_hmac), encodeJSON(entry));
    return { secretId, entry };
  }

  /** The live entry for a raw secret ID, or null; an expired one is removed on the way. */
  async get(role: string, secretId: string): Promise<SecretIdEntry | null> {
    const mac = await this.hmac(secretId);
    const entry = await this.read(role, mac);
    // The key already is the HMAC; comparing it again in constant time guards against a misfiled entry.
    if (!entry || !sameHex(entry.secret_id_hmac, mac)) return null;
    return this.live(role, entry);
  }

  async getByAccessor(role: string, accessor: string): Promise<SecretIdEntry | null> {
    const mac = await this.hmacOfAccessor(role, accessor);
    const entry = mac === null ? null : await this.read(role, mac);
    return entry ? this.live(role, entry) : null;
  }

  /** Counts one login against the entry: the last use deletes it. Call under the role's lock. */
  async consume(role: string, entry: SecretIdEntry): Promise<void> {
    if (entry.secret_id_num_uses === 0) return;
    if (entry.secret_id_num_uses === 1) return this.destroy(role, entry);
    const next = { ...entry, secret_id_num_uses: entry.secret_id_num_uses - 1, last_updated_time: this.now().toISOString() };
    await this.storage.put(this.entryKey(role, entry.secret_id_hmac), encodeJSON(next));
  }

  async destroy(role: string, entry: SecretIdEntry): Promise<void> {
    await this.storage.delete(this.entryKey(role, entry.secret_id_hmac));
    await this.storage.delete(this.accessorKey(role, entry.secret_id_accessor));
  }

  /** Accessors of the role's secret IDs. */
  async listAccessors(role: string): Promise<string[]> {
    return (await this.storage.list(ACCESSOR_PREFIX + role + '/')).filter((k) => !k.endsWith('/'));
  }

  /** Removes every secret ID of a role being deleted. */
  async destroyAll(role: string): Promise<void> {
    for (const k of await this.storage.list(SECRET_ID_PREFIX + role + '/')) await this.storage.delete(SECRET_ID_PREFIX + role + '/' + k);
    for (const k of await this.listAccessors(role)) await this.storage.delete(this.accessorKey(role, k));
  }

  private entryKey(role: string, mac: string): string {
    return `${SECRET_ID_PREFIX}${role}/${mac}`;
  }

  private accessorKey(role: string, accessor: string): string {
    return `${ACCESSOR_PREFIX}${role}/${accessor}`;
  }

  private async read(role: string, mac: string): Promise<SecretIdEntry | null> {
    const raw = await this.storage.get(this.entryKey(role, mac));
    return raw ? decodeJSON<SecretIdEntry>(raw) : null;
  }

  private async hmacOfAccessor(role: string, accessor: string): Promise<string | null> {
    if (!/^[0-9a-f-]{36}$/.test(accessor)) return null;
    const raw = await this.storage.get(this.accessorKey(role, accessor));
    return raw ? decodeJSON<{ secret_id_hmac: string }>(raw).secret_id_hmac : null;
  }

  private async live(role: string, entry: SecretIdEntry): Promise<SecretIdEntry | null> {
    if (entry.expiration_time && Date.parse(entry.expiration_time) <= this.now().getTime()) {
      await this.destroy(role, entry);
      return null;
    }
    return entry;
  }
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
