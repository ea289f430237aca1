import { InvalidRequestError, UnsupportedOperationError, UnsupportedPathError } from '../errors.js';
import type { BackendClass, LogicalBackend, SpecialPaths } from '../logical/backend.js';
import type { Auth, Operation, Request, Response, Secret } from '../logical/request.js';
import { FieldData, type FieldSchemas } from './field.js';
import type { OperationDef, OperationHandler, PathDef } from './path.js';

export interface SecretType {
  type: string;
  renew?: (req: Request, secret: Secret) => Promise<Response | null>;
  revoke: (req: Request, secret: Secret) => Promise<void>;
}

export interface FrameworkBackendDef {
  class: BackendClass;
  help: string;
  paths: PathDef[];
  specialPaths?: SpecialPaths;
  secrets?: SecretType[];
  renewAuth?: (req: Request, auth: Auth) => Promise<Response | null>;
  cleanup?: () => Promise<void>;
}

interface CompiledPath {
  def: PathDef;
  re: RegExp;
}

function handlerOf(op: OperationHandler | OperationDef | undefined): OperationHandler | undefined {
  if (!op) return undefined;
  return typeof op === 'function' ? op : op.handler;
}

/**
 * Turns a backend declared as data into a `LogicalBackend`: matches the path, validates and types the fields,
 * answers `help`, warns about unknown fields, and calls the operation's handler.
 */
export class FrameworkBackend implements LogicalBackend {
  readonly class: BackendClass;
  private readonly compiled: CompiledPath[];

  constructor(private readonly def: FrameworkBackendDef) {
    this.class = def.class;
    this.compiled = def.paths.map((p) => ({ def: p, re: new RegExp(`^${p.pattern}$`) }));
  }

  specialPaths(): SpecialPaths {
    return this.def.specialPaths ?? {};
  }

  private match(path: string): { def: PathDef; groups: Record<string, string> } | null {
    for (const c of this.compiled) {
      const m = c.re.exec(path);
      if (m) {
        const groups: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) groups[k] = v;
        return { def: c.def, groups };
      }
    }
    return null;
  }

  private fieldData(def: PathDef, req: Request, groups: Record<string, string>): FieldData {
    const body = def.goStructFields ? foldToDeclared(req.data, def.fields ?? {}) : req.data;
    const raw: Record<string, unknown> = { ...(req.query ?? {}), ...body, ...groups };
    return new FieldData(raw, def.fields ?? {});
  }

  async handleRequest(req: Request): Promise<Response | null> {
    const m = this.match(req.path);
    if (req.operation === 'help') return this.help(m?.def);
    if (!m) throw new UnsupportedPathError(req.mountPoint ? req.mountPoint + req.path : req.path);
    const handler = handlerOf(m.def.operations[req.operation]) ?? this.fallback(m.def, req.operation);
    if (!handler) throw new UnsupportedOperationError();
    const data = this.fieldData(m.def, req, m.groups);
    const resp = await handler(req, data);
    if (!m.def.takesArbitraryData) {
      const unknown = data.unknownFields().filter((k) => !(req.query && k in req.query));
      if (unknown.length > 0) {
        const out = resp ?? {};
        (out.warnings ??= []).push(`Endpoint ignored these unrecognized parameters: [${unknown.join(' ')}]`);
        return out;
      }
    }
    return resp;
  }

  /** Vault's framework serves `create` with the `update` handler when no `create` is declared, and vice versa. */
  private fallback(def: PathDef, op: Operation): OperationHandler | undefined {
    if (op === 'create') return handlerOf(def.operations.update);
    if (op === 'update') return handlerOf(def.operations.create);
    return undefined;
  }

  async existenceCheck(req: Request): Promise<boolean | undefined> {
    const m = this.match(req.path);
    if (!m?.def.existenceCheck) return undefined;
    try {
      return await m.def.existenceCheck(req, this.fieldData(m.def, req, m.groups));
    } catch (err) {
      if (err instanceof InvalidRequestError) throw err;
      throw err;
    }
  }

  async renewSecret(req: Request, secret: Secret): Promise<Response | null> {
    const t = this.secretType(secret);
    if (!t.renew) throw new InvalidRequestError('lease is not renewable');
    return t.renew(req, secret);
  }

  async revokeSecret(req: Request, secret: Secret): Promise<void> {
    await this.secretType(secret).revoke(req, secret);
  }

  async renewAuth(req: Request, auth: Auth): Promise<Response | null> {
    if (!this.def.renewAuth) return { auth };
    return this.def.renewAuth(req, auth);
  }

  async cleanup(): Promise<void> {
    await this.def.cleanup?.();
  }

  private secretType(secret: Secret): SecretType {
    const name = secret.internalData?.secret_type;
    const t = this.def.secrets?.find((s) => s.type === name);
    if (!t) throw new InvalidRequestError(`secret type ${String(name)} is not handled by this backend`);
    return t;
  }

  private help(def: PathDef | undefined): Response {
    const lines = [this.def.help.trim()];
    if (def) {
      lines.push('', `## PATH ${def.pattern}`, def.helpSynopsis ?? '', def.helpDescription ?? '');
      const fields = Object.entries(def.fields ?? {});
      if (fields.length) {
        lines.push('', '## PARAMETERS');
        for (const [n, f] of fields) lines.push(`${n} (${f.type})${f.required ? ' required' : ''}`, `    ${f.description ?? ''}`);
      }
    } else {
      lines.push('', '## PATHS');
      for (const c of this.compiled) lines.push(`    ^${c.def.pattern}$`, `        ${c.def.helpSynopsis ?? ''}`);
    }
    const openapiPaths: Record<string, unknown> = {};
    for (const c of def ? [{ def }] : this.compiled) {
      openapiPaths[`/${c.def.pattern}`] = {
        description: c.def.helpSynopsis ?? '',
        parameters: Object.entries(c.def.fields ?? {}).map(([n, f]) => ({ name: n, type: f.type, description: f.description ?? '' })),
        operations: Object.keys(c.def.operations),
      };
    }
    return { data: { help: lines.join('\n'), openapi: { openapi: '3.0.2', paths: openapiPaths } } };
  }
}

/** Renames each key that differs from a declared field only by case to that field; an exact key wins. */
function foldToDeclared(data: Record<string, unknown>, fields: FieldSchemas): Record<string, unknown> {
  const byLower = new Map(Object.keys(fields).map((f) => [f.toLowerCase(), f]));
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(data)) {
    const declared = Object.hasOwn(fields, k) ? k : byLower.get(k.toLowerCase());
    if (declared === undefined) out.push([k, v]);
    else if (declared === k || !Object.hasOwn(data, declared)) out.push([declared, v]);
  }
  // fromEntries defines own properties, so a `__proto__` key stays data.
  return Object.fromEntries(out);
}
