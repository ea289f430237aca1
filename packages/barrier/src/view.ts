import { validateKey, validatePrefix, type Backend, type TxnOp } from '@strongroom/storage';
import { InvalidPathError } from './errors.js';

/**
 * A prefix-scoped storage: every key is relative to `prefix`, and a key that would leave it (leading `/`, `..`,
 * empty segments) is refused, so a subsystem or mount can only ever touch its own keys.
 */
export class BarrierView implements Backend {
  readonly type: string;
  readonly prefix: string;

  constructor(
    private readonly inner: Backend,
    prefix: string,
  ) {
    if (prefix !== '') {
      try {
        validatePrefix(prefix);
      } catch (err) {
        throw new InvalidPathError(`invalid view prefix ${JSON.stringify(prefix)}`, { cause: err });
      }
    }
    this.prefix = prefix;
    this.type = inner.type;
  }

  /** A view below this one; it can never reach above `this.prefix`. */
  subView(prefix: string): BarrierView {
    return new BarrierView(this, prefix);
  }

  private full(key: string): string {
    try {
      validateKey(key);
    } catch (err) {
      throw new InvalidPathError(`invalid storage key ${JSON.stringify(key)}`, { cause: err });
    }
    return this.prefix + key;
  }

  async get(key: string): Promise<Uint8Array | null> {
    return this.inner.get(this.full(key));
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    return this.inner.put(this.full(key), value);
  }

  async delete(key: string): Promise<void> {
    return this.inner.delete(this.full(key));
  }

  async list(prefix: string): Promise<string[]> {
    try {
      validatePrefix(prefix);
    } catch (err) {
      throw new InvalidPathError(`invalid list prefix ${JSON.stringify(prefix)}`, { cause: err });
    }
    return this.inner.list(this.prefix + prefix);
  }

  async transaction(ops: TxnOp[]): Promise<void> {
    return this.inner.transaction(ops.map((op) => ({ ...op, key: this.full(op.key) })));
  }

  /** Every key below this view, depth first. */
  async keys(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    for (const entry of await this.list(prefix)) {
      if (entry.endsWith('/')) out.push(...(await this.keys(prefix + entry)));
      else out.push(prefix + entry);
    }
    return out;
  }

  /** Deletes everything below this view (a disabled mount's data). */
  async deletePrefix(): Promise<void> {
    for (const key of await this.keys()) await this.delete(key);
  }
}
