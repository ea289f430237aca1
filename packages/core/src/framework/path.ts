import type { Operation, Request, Response } from '../logical/request.js';
import type { FieldData, FieldSchemas } from './field.js';

export type OperationHandler = (req: Request, data: FieldData) => Promise<Response | null>;

export interface OperationDef {
  handler: OperationHandler;
  summary?: string;
}

/** A backend path declared as data, as Vault's framework does; the router validates fields from it. */
export interface PathDef {
  /** A regular expression over the path relative to the mount, without anchors; named groups become fields. */
  pattern: string;
  fields?: FieldSchemas;
  operations: Partial<Record<Operation, OperationHandler | OperationDef>>;
  /** Decides `create` versus `update` for writes. */
  existenceCheck?: (req: Request, data: FieldData) => Promise<boolean>;
  helpSynopsis?: string;
  helpDescription?: string;
  /** Keep fields the schema does not declare in `FieldData.raw` without a warning (kv's free-form data). */
  takesArbitraryData?: boolean;
  /**
   * Body keys match declared fields case-insensitively, as Go's JSON decoding into a struct does: Vault serves
   * these endpoints outside its framework, and its own client sends some fields untagged (`Backup` on rekey).
   */
  goStructFields?: boolean;
}

/** Common pattern pieces, as Vault's framework names them. */
export const GENERIC_NAME = (name: string): string => `(?<${name}>\\w(([\\w.@-]+)?\\w)?)`;
export const MATCH_ALL = (name: string): string => `(?<${name}>.*)`;
export const OPTIONAL_MATCH_ALL = (name: string): string => `(/(?<${name}>.*))?`;
