import { InvalidRequestError } from '../errors.js';
import type { FieldData } from '../framework/field.js';
import { GENERIC_NAME, type PathDef } from '../framework/path.js';
import type { SystemView } from '../logical/backend.js';
import type { Response } from '../logical/request.js';
import { keyInfo, newTransitKey, parseKeyType, rotateTransitKey, type TransitKey, type TransitKeyStore } from './transit-key.js';

/** Vault's rules for `keys/:name/config`, applied to a copy; returns the new entry and any warnings. */
function applyConfig(cur: TransitKey, d: FieldData): { next: TransitKey; warnings: string[] } {
  const next = { ...cur };
  const warnings: string[] = [];
  if (d.has('min_decryption_version')) {
    let v = d.getInt('min_decryption_version');
    if (v < 0) throw new InvalidRequestError('min decryption version cannot be negative');
    if (v === 0) {
      v = 1;
      warnings.push('since Vault 0.3, transit key numbering starts at 1; forcing minimum to 1');
    }
    if (v > next.latestVersion) throw new InvalidRequestError(`cannot set min decryption version of ${v}, latest key version is ${next.latestVersion}`);
    next.minDecryptionVersion = v;
  }
  if (d.has('min_encryption_version')) {
    const v = d.getInt('min_encryption_version');
    if (v < 0) throw new InvalidRequestError('min encryption version cannot be negative');
    if (v > next.latestVersion) throw new InvalidRequestError(`cannot set min encryption version of ${v}, latest key version is ${next.latestVersion}`);
    next.minEncryptionVersion = v;
  }
  if (next.minEncryptionVersion !== 0 && next.minDecryptionVersion > next.minEncryptionVersion) {
    throw new InvalidRequestError('min decryption version should not be less then min available version');
  }
  if (d.has('deletion_allowed')) next.deletionAllowed = d.getBool('deletion_allowed');
  // Once a key could leave the server, turning the flag off again would promise something that no longer holds.
  if (d.has('exportable')) {
    if (cur.exportable && !d.getBool('exportable')) throw new InvalidRequestError('export cannot be disabled on a key that already has it enabled');
    next.exportable = d.getBool('exportable');
  }
  if (d.has('allow_plaintext_backup')) {
    if (cur.allowPlaintextBackup && !d.getBool('allow_plaintext_backup')) {
      throw new InvalidRequestError('backup cannot be disabled on a key that already has it enabled');
    }
    next.allowPlaintextBackup = d.getBool('allow_plaintext_backup');
  }
  return { next, warnings };
}

const NAME = { name: { type: 'string', required: true, description: 'Name of the key.' } } as const;

/** `keys`, `keys/:name`, `keys/:name/config`, `keys/:name/rotate`. */
export function transitKeyPaths(store: TransitKeyStore, system: SystemView): PathDef[] {
  const write = async (_req: unknown, d: FieldData): Promise<Response | null> => {
    if (d.getBool('derived')) throw new InvalidRequestError('key derivation is not supported by this server');
    if (d.getBool('convergent_encryption')) throw new InvalidRequestError('convergent encryption requires derivation to be enabled');
    const type = parseKeyType(d.getString('type'));
    const opts = { exportable: d.getBool('exportable'), allowPlaintextBackup: d.getBool('allow_plaintext_backup') };
    const name = d.getString('name');
    // As in Vault, writing an existing key leaves it as it is.
    const k = await store.modify(name, (cur) => (cur ? undefined : newTransitKey(name, type, opts, system.now())));
    return k ? { data: keyInfo(k) } : null;
  };

  const read = async (_req: unknown, d: FieldData): Promise<Response | null> => {
    const k = await store.get(d.getString('name'));
    return k ? { data: keyInfo(k) } : null;
  };

  const remove = async (_req: unknown, d: FieldData): Promise<Response | null> => {
    await store.modify(d.getString('name'), (cur) => {
      if (!cur) throw new InvalidRequestError('could not delete key; not found');
      if (!cur.deletionAllowed) throw new InvalidRequestError('deletion is not allowed for this key');
      return 'delete';
    });
    return null;
  };

  const config = async (_req: unknown, d: FieldData): Promise<Response | null> => {
    const name = d.getString('name');
    let warnings: string[] = [];
    const k = await store.modify(name, (cur) => {
      if (!cur) throw new InvalidRequestError(`no existing key named ${name} could be found`);
      const out = applyConfig(cur, d);
      warnings = out.warnings;
      return out.next;
    });
    const resp: Response = { data: keyInfo(k!) };
    if (warnings.length) resp.warnings = warnings;
    return resp;
  };

  const rotate = async (_req: unknown, d: FieldData): Promise<Response | null> => {
    const k = await store.modify(d.getString('name'), (cur) => {
      if (!cur) throw new InvalidRequestError('key not found');
      return rotateTransitKey(cur, system.now());
    });
    return { data: keyInfo(k!) };
  };

  const exists = async (_req: unknown, d: FieldData): Promise<boolean> => (await store.get(d.getString('name'))) !== null;

  return [
    {
      pattern: 'keys/?',
      operations: {
        list: async () => {
          const keys = await store.list();
          return keys.length ? { data: { keys } } : null;
        },
      },
      helpSynopsis: 'Managed named encryption keys',
    },
    {
      pattern: `keys/${GENERIC_NAME('name')}`,
      fields: {
        ...NAME,
        type: { type: 'string', default: 'aes256-gcm96', description: 'The type of key to create.' },
        derived: { type: 'bool', description: 'Enables key derivation (not supported here).' },
        convergent_encryption: { type: 'bool', description: 'Convergent encryption (needs derivation; not supported here).' },
        exportable: { type: 'bool', description: 'Enables keys to be exportable.' },
        allow_plaintext_backup: { type: 'bool', description: 'Enables taking a backup of the named key in plaintext format.' },
      },
      operations: { read, create: write, update: write, delete: remove },
      existenceCheck: exists,
      helpSynopsis: 'Managed named encryption keys',
      helpDescription: 'Create, read and delete a named key; its versions are kept until the key is deleted.',
    },
    {
      pattern: `keys/${GENERIC_NAME('name')}/config`,
      fields: {
        ...NAME,
        min_decryption_version: { type: 'int', description: 'The minimum version of ciphertext allowed to be decrypted.' },
        min_encryption_version: { type: 'int', description: 'The minimum version of the key allowed to be used for encryption.' },
        deletion_allowed: { type: 'bool', description: 'Whether to allow deletion of the key.' },
        exportable: { type: 'bool', description: 'Enables export of the key; cannot be disabled once enabled.' },
        allow_plaintext_backup: { type: 'bool', description: 'Enables plaintext backup; cannot be disabled once enabled.' },
      },
      operations: { update: config },
      helpSynopsis: 'Configure a named encryption key',
    },
    {
      pattern: `keys/${GENERIC_NAME('name')}/rotate`,
      fields: { ...NAME },
      operations: { update: rotate },
      helpSynopsis: 'Rotate a named encryption key',
      helpDescription: 'Adds a new version that encrypts from now on; older versions still decrypt.',
    },
  ];
}
