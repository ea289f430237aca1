import { BarrierView } from '@strongroom/barrier';
import type { Backend } from '@strongroom/storage';
import type { Clock } from '../clock.js';
import { readCubbyhole, writeCubbyhole } from '../engines/cubbyhole.js';
import { InvalidRequestError } from '../errors.js';
import type { Auth, Request, Response, WrapInfo } from '../logical/request.js';
import { storagePrefix, type MountEntry } from '../mounts/mount-entry.js';
import { RESPONSE_WRAPPING_POLICY_NAME } from '../policy/builtin-policies.js';
import { rfc3339Nano } from '../util/rfc3339-nano.js';
import { envelopeResponse, responseEnvelope } from './envelope.js';

/** The part of a token entry wrapping relies on. */
export interface WrappingTokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  /** Seconds. */
  ttl: number;
}

/** What wrapping needs from the core (a `Core` provides it). */
export interface WrappingCore {
  readonly tokens: {
    createFromAuth(auth: Auth, path: string): Promise<WrappingTokenEntry>;
    lookup(token: string): Promise<WrappingTokenEntry | null>;
    /**
     * Takes one use of the token atomically, the same way a request made with it does; null when none was left.
     * `deferred` collects the revocation of a used-up token.
     */
    useToken(entry: WrappingTokenEntry, deferred?: (() => Promise<void>)[]): Promise<WrappingTokenEntry | null>;
    revokeTree(id: string): Promise<void>;
  };
  readonly mounts: { find(path: string): MountEntry | undefined };
  readonly barrier: Backend;
  readonly clock: Clock;
}

/** `sys/wrapping/lookup`'s answer (a type alias, so it can be a response's `data` as is). */
export type WrapLookup = {
  creation_path: string;
  creation_time: string;
  creation_ttl: number;
};

/** The cubbyhole entries of a wrapping token, named as Vault names them. */
const RESPONSE = 'response';
const WRAPINFO = 'wrapinfo';
const WRAP_PATH = 'sys/wrapping/wrap';
const INVALID = 'wrapping token is not valid or does not exist';

function isWrapEndpoint(req: Request): boolean {
  return req.path.replace(/\/+$/, '') === WRAP_PATH;
}

/** A response with nothing in it (a 204) is not wrapped, as Vault wraps only a non-nil response. */
function hasContent(resp: Response): boolean {
  return !!(resp.data || resp.auth || resp.secret || resp.warnings?.length || resp.raw);
}

/**
 * Response wrapping: the response goes into the cubbyhole of a new single-use token (policy `response-wrapping`),
 * and the client gets only that token. Unwrapping reads it back once and revokes the token, which clears its
 * cubbyhole.
 */
export class Wrapping {
  constructor(private readonly core: WrappingCore) {}

  /** Wraps `resp` when the request asked for it (`X-Vault-Wrap-TTL`); `sys/wrapping/wrap` wraps the request body. */
  async wrapResponse(req: Request, resp: Response, _relPath: string): Promise<Response> {
    const ttl = req.wrapTTL ?? 0;
    if (isWrapEndpoint(req)) {
      if (ttl <= 0) throw new InvalidRequestError('endpoint requires response wrapping to be used');
      const payload = JSON.stringify(responseEnvelope(req.id, { data: { ...req.data } }));
      return { data: null, wrapInfo: await this.store(payload, ttl, req.path) };
    }
    // Already a wrapping answer (rewrap), an error-like raw answer, or nothing to wrap: pass it through.
    if (ttl <= 0 || resp.wrapInfo || !hasContent(resp) || (resp.raw && resp.raw.status >= 400)) return resp;
    const payload = JSON.stringify(responseEnvelope(req.id, resp));
    const wrapInfo = await this.store(payload, ttl, req.path, resp.auth?.accessor);
    return { data: null, wrapInfo, mountType: resp.mountType };
  }

  /**
   * The original response, once; the wrapping token is revoked afterwards. The token's single use is taken before
   * anything is read, by the token store's per-token lock that a cubbyhole read with the token also goes through,
   * so of any number of concurrent redemptions, by whichever path, exactly one gets the payload.
   */
  async unwrap(token: string): Promise<Response> {
    const entry = await this.redeem(token);
    const stored = await readCubbyhole(this.cubbyhole(), entry.id, RESPONSE);
    await this.core.tokens.revokeTree(entry.id);
    const text = stored?.[RESPONSE];
    if (typeof text !== 'string') throw new InvalidRequestError('no wrapped response found for this token');
    return envelopeResponse(text);
  }

  /** Creation path, time and TTL of a wrapping token, without using it up. */
  async lookup(token: string): Promise<WrapLookup> {
    const entry = await this.validate(token);
    const info = await readCubbyhole(this.cubbyhole(), entry.id, WRAPINFO);
    if (!info) throw new InvalidRequestError(INVALID);
    return {
      creation_path: typeof info.creation_path === 'string' ? info.creation_path : '',
      creation_time: typeof info.creation_time === 'string' ? info.creation_time : '',
      creation_ttl: typeof info.creation_ttl === 'number' ? info.creation_ttl : 0,
    };
  }

  /** Moves the payload to a new wrapping token with the same TTL and creation path; the old token is used up. */
  async rewrap(token: string): Promise<Response> {
    const entry = await this.redeem(token);
    try {
      const cubby = this.cubbyhole();
      const stored = await readCubbyhole(cubby, entry.id, RESPONSE);
      const info = await readCubbyhole(cubby, entry.id, WRAPINFO);
      const text = stored?.[RESPONSE];
      if (typeof text !== 'string' || !info) throw new InvalidRequestError('no wrapped response found for this token');
      const ttl = typeof info.creation_ttl === 'number' && info.creation_ttl > 0 ? info.creation_ttl : entry.ttl;
      const path = typeof info.creation_path === 'string' ? info.creation_path : '';
      return { data: null, wrapInfo: await this.store(text, ttl, path) };
    } finally {
      await this.core.tokens.revokeTree(entry.id);
    }
  }

  /** Creates the wrapping token and puts the payload and its lookup info in the token's cubbyhole. */
  private async store(payload: string, ttl: number, creationPath: string, wrappedAccessor?: string): Promise<WrapInfo> {
    const cubby = this.cubbyhole();
    const created = this.core.clock.now();
    const entry = await this.core.tokens.createFromAuth(
      {
        policies: [RESPONSE_WRAPPING_POLICY_NAME],
        noDefaultPolicy: true,
        ttl,
        explicitMaxTTL: ttl,
        numUses: 1,
        renewable: false,
        orphan: true,
      },
      WRAP_PATH,
    );
    const actualTTL = entry.ttl > 0 ? entry.ttl : ttl;
    const creationTime = rfc3339Nano(created);
    try {
      await writeCubbyhole(cubby, entry.id, RESPONSE, { [RESPONSE]: payload });
      await writeCubbyhole(cubby, entry.id, WRAPINFO, { creation_ttl: actualTTL, creation_time: creationTime, creation_path: creationPath });
    } catch (err) {
      // A token without its payload is useless; do not leave it behind.
      await this.core.tokens.revokeTree(entry.id).catch(() => undefined);
      throw err;
    }
    const info: WrapInfo = { token: entry.id, accessor: entry.accessor, ttl: actualTTL, creationTime, creationPath };
    if (wrappedAccessor) info.wrappedAccessor = wrappedAccessor;
    return info;
  }

  /** A live token whose only policy is `response-wrapping`; anything else is the same 400, as in Vault. */
  private async validate(token: string): Promise<WrappingTokenEntry> {
    if (!token) throw new InvalidRequestError(INVALID);
    const entry = await this.core.tokens.lookup(token);
    if (!entry || entry.policies.length !== 1 || entry.policies[0] !== RESPONSE_WRAPPING_POLICY_NAME) {
      throw new InvalidRequestError(INVALID);
    }
    return entry;
  }

  /** A valid wrapping token whose one use this call took; anyone else racing for it gets the same 400. */
  private async redeem(token: string): Promise<WrappingTokenEntry> {
    const entry = await this.validate(token);
    // The store revokes the used-up token after a late fallback delay; the callers revoke it themselves sooner.
    const used = await this.core.tokens.useToken(entry, []);
    if (!used) throw new InvalidRequestError(INVALID);
    return entry;
  }

  private cubbyhole(): Backend {
    const mount = this.core.mounts.find('cubbyhole/');
    if (!mount) throw new Error('the cubbyhole mount is not loaded');
    return new BarrierView(this.core.barrier, storagePrefix(mount));
  }
}
