import { StorageInvalidKeyError, Mutex, validateKey, type Backend } from '@strongroom/storage';
import { type Logger, silentLogger } from '../util/logger.js';
import { InvalidRequestError } from '../errors.js';
import { ACL } from './acl.js';
import { DEFAULT_POLICY, RESPONSE_WRAPPING_POLICY, RESPONSE_WRAPPING_POLICY_NAME } from './builtin-policies.js';
import { normalisePolicyName, parsePolicy, type Policy } from './policy.js';

export interface PolicyStoreOptions {
  /** A view at `sys/policy/`: one key per policy name. */
  storage: Backend;
  logger?: Logger;
}

/** What `sys/policy/<name>` shows. */
export interface StoredPolicy {
  name: string;
  rules: string;
}

/** The stored form; JSON so a decrypted dump stays readable. */
interface PolicyRecord {
  name: string;
  raw: string;
}

const ROOT = 'root';
const DEFAULT = 'default';
const ROOT_POLICY: Policy = { name: ROOT, raw: '', paths: [], templated: false };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * ACL policies stored at `sys/policy/<name>`, parsed once and cached. `root` is implicit (everything allowed) and
 * `response-wrapping` is built in; neither is stored nor writable. `default` is written on first setup and is
 * editable but cannot be deleted.
 */
export class PolicyStore {
  private readonly storage: Backend;
  private readonly logger: Logger;
  /** Parsed policies by name; `null` remembers a name that is not stored. */
  private readonly cache = new Map<string, Policy | null>();
  private readonly writes = new Mutex();
  private readonly responseWrapping: Policy;

  constructor(o: PolicyStoreOptions) {
    this.storage = o.storage;
    this.logger = o.logger ?? silentLogger;
    this.responseWrapping = parsePolicy(RESPONSE_WRAPPING_POLICY_NAME, RESPONSE_WRAPPING_POLICY);
  }

  /** On becoming active (and at init): forget what another node may have changed, and create `default` once. */
  async setup(): Promise<void> {
    this.cache.clear();
    await this.writes.run(async () => {
      if ((await this.storage.get(DEFAULT)) !== null) return;
      await this.persist(parsePolicy(DEFAULT, DEFAULT_POLICY));
      this.logger.info('default policy created');
    });
  }

  /** The ACL of a token with these policies; unknown names contribute nothing, as in Vault. */
  async acl(names: readonly string[]): Promise<ACL> {
    const unique = [...new Set(names.map(normalisePolicyName))];
    if (unique.includes(ROOT)) return new ACL([ROOT_POLICY]);
    const policies: Policy[] = [];
    for (const name of unique) {
      const p = await this.policy(name);
      if (p) policies.push(p);
    }
    return new ACL(policies);
  }

  async get(name: string): Promise<StoredPolicy | null> {
    const n = normalisePolicyName(name);
    if (n === ROOT) return { name: ROOT, rules: '' };
    const p = await this.policy(n);
    return p ? { name: p.name, rules: p.raw } : null;
  }

  /** Parses and validates `text`, then stores it; bad policy text is a 400 with the parser's message. */
  async set(name: string, text: string): Promise<void> {
    const n = normalisePolicyName(name);
    checkName(n);
    if (n === RESPONSE_WRAPPING_POLICY_NAME) throw new InvalidRequestError(`cannot update "${n}" policy`);
    const policy = parsePolicy(n, text);
    await this.writes.run(async () => {
      await this.persist(policy);
      this.cache.set(n, policy);
    });
    this.logger.info('policy written', { name: n });
  }

  /** Idempotent, as in Vault; `root`, `default` and the built-ins cannot go. */
  async delete(name: string): Promise<void> {
    const n = normalisePolicyName(name);
    if (n === ROOT) throw new InvalidRequestError('cannot delete root policy');
    if (n === DEFAULT) throw new InvalidRequestError('cannot delete default policy');
    if (n === RESPONSE_WRAPPING_POLICY_NAME) throw new InvalidRequestError(`cannot delete "${n}" policy`);
    if (!storableName(n)) return;
    await this.writes.run(async () => {
      await this.storage.delete(n);
      this.cache.set(n, null);
    });
    this.logger.info('policy deleted', { name: n });
  }

  /** Stored names in storage order (sorted), then `root`, as Vault's `sys/policy` lists them. */
  async list(): Promise<string[]> {
    const keys = (await this.storage.list('')).filter((k) => !k.endsWith('/'));
    return [...keys, ROOT];
  }

  private async policy(name: string): Promise<Policy | null> {
    if (name === RESPONSE_WRAPPING_POLICY_NAME) return this.responseWrapping;
    if (!storableName(name)) return null;
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const raw = await this.storage.get(name);
    let policy: Policy | null = null;
    if (raw) {
      const record = JSON.parse(decoder.decode(raw)) as PolicyRecord;
      try {
        policy = parsePolicy(name, record.raw);
      } catch (err) {
        // A stored policy always parsed when written; if it no longer does, grant nothing rather than fail every request.
        this.logger.error('stored policy does not parse', { name, error: (err as Error).message });
      }
    }
    this.cache.set(name, policy);
    return policy;
  }

  private async persist(policy: Policy): Promise<void> {
    const record: PolicyRecord = { name: policy.name, raw: policy.raw };
    await this.storage.put(policy.name, encoder.encode(JSON.stringify(record)));
  }
}

/** One storage key per policy: a name the storage would refuse, or one with `/`, cannot be a policy. */
function storableName(name: string): boolean {
  if (name.includes('/')) return false;
  try {
    validateKey(name);
    return true;
  } catch (err) {
    if (err instanceof StorageInvalidKeyError) return false;
    throw err;
  }
}

/**
 * Characters a new policy name may not hold: a comma splits a `policies` list into other names, and whitespace,
 * control, zero-width and other invisible characters make a name that reads as another one.
 */
const UNFIT_NAME_CHARS = /[\s,\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;
/** Far above any real name; token roles bound the names they carry the same way. */
const MAX_NAME_LENGTH = 256;

function checkName(name: string): void {
  if (name === '') throw new InvalidRequestError('policy name must be provided');
  if (name === ROOT) throw new InvalidRequestError('cannot update "root" policy');
  if (!storableName(name) || UNFIT_NAME_CHARS.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new InvalidRequestError(`invalid policy name ${JSON.stringify(name)}: names may not hold commas, whitespace or invisible characters, or exceed ${MAX_NAME_LENGTH} characters`);
  }
}

