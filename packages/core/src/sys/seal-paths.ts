import type { AESGCMBarrier } from '@strongroom/barrier';
import { InvalidRequestError, StandbyError } from '../errors.js';
import type { PathDef } from '../framework/path.js';
import type { Response } from '../logical/request.js';
import type { GenerateRoot } from '../seal/generate-root.js';
import type { Rekey } from '../seal/rekey.js';

export interface SealPathsDeps {
  /** The node's role: seal and step-down act on it once the request is done. */
  node: { isActive(): boolean; seal(): Promise<void>; stepDown(): Promise<void> };
  barrier: Pick<AESGCMBarrier, 'keyStatus' | 'rotate' | 'rotationConfig' | 'setRotationConfig'>;
  rekey: Rekey;
  generateRoot: GenerateRoot;
}

const ok = (body: unknown): Response => ({ raw: { status: 200, body } });

/** seal, step-down, key status, rotation, rekey and generate-root. */
export function sealPaths({ node, barrier, rekey, generateRoot }: SealPathsDeps): PathDef[] {
  // Not `required`: the framework would then refuse the GET (status) and DELETE (cancel) of `rekey/init` too.
  const shamirFields = {
    secret_shares: { type: 'int' as const },
    secret_threshold: { type: 'int' as const },
    // Vault's client always sends it; a Shamir seal stores no shares, so it is read and ignored as in Vault.
    stored_shares: { type: 'int' as const },
    pgp_keys: { type: 'comma-string-slice' as const },
    backup: { type: 'bool' as const },
    require_verification: { type: 'bool' as const },
  };
  const keyNonce = { key: { type: 'raw' as const }, nonce: { type: 'string' as const } };
  const needKey = (k: unknown): unknown => {
    if (k === undefined || k === null || k === '') throw new InvalidRequestError("'key' must be specified in request body as JSON");
    return k;
  };
  return [
    {
      pattern: 'seal',
      operations: {
        update: async (req) => {
          if (!node.isActive()) throw new StandbyError('vault cannot seal when in standby mode; please restart instead');
          req.deferred?.push(() => node.seal());
          return null;
        },
      },
      helpSynopsis: 'Seal this node (hands over to a standby first).',
    },
    {
      pattern: 'step-down',
      operations: {
        update: async (req) => {
          req.deferred?.push(() => node.stepDown());
          return null;
        },
      },
      helpSynopsis: 'Make the active node release the HA lock and become a standby.',
    },
    {
      pattern: 'key-status',
      operations: {
        read: async () => {
          const s = barrier.keyStatus();
          return { data: { term: s.term, install_time: s.installTime.toISOString(), encryptions: s.encryptions } };
        },
      },
    },
    {
      pattern: 'rotate',
      operations: {
        update: async () => {
          await barrier.rotate();
          return null;
        },
      },
    },
    {
      pattern: 'rotate/config',
      fields: { max_operations: { type: 'int' }, interval: { type: 'duration' }, enabled: { type: 'bool' } },
      operations: {
        read: async () => {
          const c = barrier.rotationConfig();
          return { data: { max_operations: c.maxOperations, interval: `${Math.floor(c.interval / 1000)}s`, enabled: c.enabled } };
        },
        update: async (_req, d) => {
          const c = barrier.rotationConfig();
          const maxOperations = d.has('max_operations') ? d.getInt('max_operations') : c.maxOperations;
          if (maxOperations < 1_000_000) throw new InvalidRequestError('max_operations must be at least 1000000');
          const interval = d.has('interval') ? d.getInt('interval') * 1000 : c.interval;
          if (interval !== 0 && interval < 24 * 3600 * 1000) throw new InvalidRequestError('interval must be at least 24h');
          await barrier.setRotationConfig({ maxOperations, interval, enabled: d.has('enabled') ? d.getBool('enabled') : c.enabled });
          return null;
        },
      },
    },
    {
      pattern: 'rekey/init',
      fields: { ...shamirFields, nonce: { type: 'string' } },
      goStructFields: true,
      operations: {
        read: async () => ok(await rekey.status()),
        update: async (_req, d) => {
          for (const f of ['secret_shares', 'secret_threshold']) {
            if (!d.has(f)) throw new InvalidRequestError(`missing required field "${f}"`);
          }
          return ok(await rekey.init({
            secret_shares: d.getInt('secret_shares'),
            secret_threshold: d.getInt('secret_threshold'),
            pgp_keys: d.getStrings('pgp_keys'),
            backup: d.getBool('backup'),
            require_verification: d.getBool('require_verification'),
          }));
        },
        delete: async () => {
          rekey.cancel();
          return null;
        },
      },
    },
    {
      pattern: 'rekey/update',
      goStructFields: true,
      fields: keyNonce,
      operations: { update: async (_req, d) => ok(await rekey.update(needKey(d.get('key')), d.getString('nonce'))) },
    },
    {
      pattern: 'rekey/verify',
      goStructFields: true,
      fields: keyNonce,
      operations: {
        read: async () => ok(await rekey.verifyStatus()),
        update: async (_req, d) => ok(await rekey.verify(needKey(d.get('key')), d.getString('nonce'))),
        delete: async () => {
          rekey.cancel();
          return null;
        },
      },
    },
    {
      pattern: 'rekey/backup',
      operations: {
        read: async () => {
          const b = await rekey.backup();
          return b ? { data: b } : null;
        },
        delete: async () => {
          await rekey.deleteBackup();
          return null;
        },
      },
    },
    {
      pattern: 'generate-root/attempt',
      goStructFields: true,
      fields: { otp: { type: 'string' }, pgp_key: { type: 'string' } },
      operations: {
        read: async () => ok(await generateRoot.status()),
        update: async (_req, d) =>
          ok(await generateRoot.start({ otp: d.getString('otp') || undefined, pgp_key: d.getString('pgp_key') || undefined })),
        delete: async () => {
          generateRoot.cancel();
          return null;
        },
      },
    },
    {
      pattern: 'generate-root/update',
      goStructFields: true,
      fields: keyNonce,
      operations: { update: async (_req, d) => ok(await generateRoot.update(needKey(d.get('key')), d.getString('nonce'))) },
    },
  ];
}
