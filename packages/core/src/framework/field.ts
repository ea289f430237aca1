import { MAX_DURATION_SECONDS } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import { putOwn } from '../util/own-value.js';
import { parseApiDurationSeconds } from './duration.js';

export type FieldType =
  | 'string'
  | 'lowercase-string'
  | 'int'
  | 'bool'
  | 'duration'
  /** A duration that may be negative (`-1s`), as Vault's TypeSignedDurationSecond. */
  | 'signed-duration'
  | 'map'
  | 'string-map'
  | 'slice'
  | 'string-slice'
  | 'comma-string-slice'
  /** Integers as a JSON list or a comma-separated string, as Vault's TypeCommaIntSlice. */
  | 'comma-int-slice'
  | 'raw';

export interface FieldSchema {
  type: FieldType;
  description?: string;
  default?: unknown;
  required?: boolean;
  /** Allowed values. */
  allowed?: readonly unknown[];
}

export type FieldSchemas = Record<string, FieldSchema>;

function zero(type: FieldType): unknown {
  switch (type) {
    case 'string':
    case 'lowercase-string':
      return '';
    case 'int':
    case 'duration':
    case 'signed-duration':
      return 0;
    case 'bool':
      return false;
    case 'map':
    case 'string-map':
      return {};
    case 'slice':
    case 'string-slice':
    case 'comma-string-slice':
    case 'comma-int-slice':
      return [];
    case 'raw':
      return undefined;
  }
}

/** Converts a raw JSON (or query-string) value to the field's type, as Vault's framework does; throws on a bad type. */
export function coerce(name: string, schema: FieldSchema, raw: unknown): unknown {
  const bad = (): never => {
    throw new InvalidRequestError(`error converting input for field "${name}": expected ${schema.type}`);
  };
  switch (schema.type) {
    case 'raw':
      return raw;
    case 'string':
    case 'lowercase-string': {
      let s: string;
      if (typeof raw === 'string') s = raw;
      else if (typeof raw === 'number' || typeof raw === 'boolean') s = String(raw);
      else return bad();
      return schema.type === 'lowercase-string' ? s.toLowerCase() : s;
    }
    case 'int': {
      // Beyond 2^53 a number is no longer the integer the client sent.
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
      if (typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) && Number.isSafeInteger(Number(raw.trim()))) return Number(raw.trim());
      return bad();
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      // Go's strconv.ParseBool spellings, as Vault parses a bool field: Python clients send `True`/`False`
      // (hvac's health check sends standbyok=True in the query string).
      if (raw === 1 || (typeof raw === 'string' && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw))) return true;
      if (raw === 0 || (typeof raw === 'string' && ['0', 'f', 'F', 'false', 'FALSE', 'False', ''].includes(raw))) return false;
      return bad();
    }
    case 'duration': {
      if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 && raw <= MAX_DURATION_SECONDS) return Math.floor(raw);
      if (typeof raw === 'string') {
        const secs = parseApiDurationSeconds(raw);
        if (secs === null) throw new InvalidRequestError(`error converting input for field "${name}": invalid duration "${raw}"`);
        return secs;
      }
      return bad();
    }
    case 'signed-duration': {
      if (typeof raw === 'number' && Number.isFinite(raw) && Math.abs(raw) <= MAX_DURATION_SECONDS) return Math.trunc(raw);
      if (typeof raw === 'string') {
        const t = raw.trim();
        const neg = t.startsWith('-');
        const secs = parseApiDurationSeconds(neg ? t.slice(1) : t);
        if (secs === null) throw new InvalidRequestError(`error converting input for field "${name}": invalid duration "${raw}"`);
        return neg ? -secs : secs;
      }
      return bad();
    }
    case 'map':
      if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw;
      if (typeof raw === 'string') {
        try {
          const parsed: unknown = JSON.parse(raw);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
        } catch {
          /* fall through */
        }
      }
      return bad();
    case 'string-map': {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return bad();
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') return bad();
        putOwn(out, k, v);
      }
      return out;
    }
    case 'slice':
      if (Array.isArray(raw)) return raw;
      return [raw];
    case 'string-slice':
    case 'comma-string-slice': {
      if (Array.isArray(raw)) {
        if (!raw.every((x) => typeof x === 'string' || typeof x === 'number')) return bad();
        return raw.map(String).map((s) => s.trim()).filter((s) => s !== '');
      }
      if (typeof raw === 'string') {
        return (schema.type === 'comma-string-slice' ? raw.split(',') : [raw]).map((s) => s.trim()).filter((s) => s !== '');
      }
      return bad();
    }
    case 'comma-int-slice': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').filter((s) => s.trim() !== '') : [raw];
      return items.map((x) => {
        if (typeof x === 'number' && Number.isInteger(x)) return x;
        if (typeof x === 'string' && /^-?\d+$/.test(x.trim())) return Number(x.trim());
        return bad();
      });
    }
  }
}

/** The request's fields, validated and typed against a path's schema. */
export class FieldData {
  private readonly values = new Map<string, unknown>();

  constructor(
    readonly raw: Record<string, unknown>,
    readonly schema: FieldSchemas,
  ) {
    for (const [name, s] of Object.entries(schema)) {
      if (raw[name] === undefined || raw[name] === null) {
        if (s.required) throw new InvalidRequestError(`missing required field "${name}"`);
        continue;
      }
      const v = coerce(name, s, raw[name]);
      if (s.allowed && !s.allowed.includes(v)) {
        throw new InvalidRequestError(`invalid value for field "${name}": must be one of ${s.allowed.join(', ')}`);
      }
      this.values.set(name, v);
    }
  }

  /** The typed value, else the schema's default, else the type's zero value. */
  get<T = unknown>(name: string): T {
    if (this.values.has(name)) return this.values.get(name) as T;
    const s = this.schema[name];
    if (!s) throw new Error(`field "${name}" is not declared`);
    return (s.default !== undefined ? s.default : zero(s.type)) as T;
  }

  getString(name: string): string {
    return this.get<string>(name);
  }

  getInt(name: string): number {
    return this.get<number>(name);
  }

  getBool(name: string): boolean {
    return this.get<boolean>(name);
  }

  getStrings(name: string): string[] {
    return this.get<string[]>(name);
  }

  /** Whether the client sent the field. */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** Names the client sent that the path does not declare. */
  unknownFields(): string[] {
    return Object.keys(this.raw).filter((k) => !(k in this.schema));
  }
}
