import { randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import { GENERIC_NAME, type PathDef } from '../framework/path.js';
import type { SystemView } from '../logical/backend.js';
import type { Request, Response } from '../logical/request.js';
import { runBatch, type TransitItem } from './transit-batch.js';
import { decodeBase64, decryptValue, encryptValue } from './transit-cipher.js';
import { newTransitKey, parseKeyType, type TransitKey, type TransitKeyStore } from './transit-key.js';

const NAME = { name: { type: 'string', required: true, description: 'Name of the key.' } } as const;
const BATCH = { batch_input: { type: 'slice', description: 'A list of items, each processed as the single-item fields are.' } } as const;
const KEY_VERSION = { key_version: { type: 'int', description: 'The version of the key to encrypt with; 0 or unset means the latest.' } } as const;
const AAD = { associated_data: { type: 'string', description: 'Base64 data authenticated alongside the ciphertext (AEAD).' } } as const;

function aadOf(item: TransitItem): Buffer | undefined {
  return item.associated_data === undefined ? undefined : decodeBase64(item.associated_data, 'associated_data');
}

function needCiphertext(item: TransitItem): string {
  if (item.ciphertext === undefined || item.ciphertext === '') throw new InvalidRequestError('missing ciphertext to decrypt');
  return item.ciphertext;
}

/** `encrypt/:name`, `decrypt/:name`, `rewrap/:name`, `datakey/(plaintext|wrapped)/:name`. */
export function transitCryptPaths(store: TransitKeyStore, system: SystemView): PathDef[] {
  const existing = async (name: string): Promise<TransitKey> => {
    const k = await store.get(name);
    if (!k) throw new InvalidRequestError('encryption key not found');
    return k;
  };

  const encrypt = async (req: Request, d: FieldData): Promise<Response | null> => {
    const name = d.getString('name');
    // Only a caller the policy lets `create` may bring a key into being by encrypting to it (Vault's upsert).
    const key = async (): Promise<TransitKey> => {
      const k = await store.get(name);
      if (k) return k;
      if (req.operation !== 'create') throw new InvalidRequestError('encryption key not found');
      const type = parseKeyType(d.getString('type'));
      const made = await store.modify(name, (cur) => cur ?? newTransitKey(name, type, { exportable: false, allowPlaintextBackup: false }, system.now()));
      return made!;
    };
    return runBatch(d, {
      prepare: (item) => {
        if (item.plaintext === undefined) throw new InvalidRequestError('missing plaintext to encrypt');
        return { plaintext: decodeBase64(item.plaintext, 'plaintext'), aad: aadOf(item), version: item.key_version ?? 0 };
      },
      key,
      run: (p, k) => {
        const { ciphertext, version } = encryptValue(k, p.version, p.plaintext, p.aad);
        return { ciphertext, key_version: version };
      },
    });
  };

  const decrypt = async (_req: Request, d: FieldData): Promise<Response | null> =>
    runBatch(d, {
      prepare: (item) => ({ ciphertext: needCiphertext(item), aad: aadOf(item) }),
      key: () => existing(d.getString('name')),
      run: (p, k) => ({ plaintext: decryptValue(k, p.ciphertext, p.aad).plaintext.toString('base64') }),
    });

  const rewrap = async (_req: Request, d: FieldData): Promise<Response | null> =>
    runBatch(d, {
      prepare: (item) => ({ ciphertext: needCiphertext(item), aad: aadOf(item), version: item.key_version ?? 0 }),
      key: () => existing(d.getString('name')),
      run: (p, k) => {
        const { plaintext } = decryptValue(k, p.ciphertext, p.aad);
        const { ciphertext, version } = encryptValue(k, p.version, plaintext, p.aad);
        return { ciphertext, key_version: version };
      },
    });

  const datakey = async (_req: Request, d: FieldData): Promise<Response | null> => {
    const kind = d.getString('plaintext');
    if (kind !== 'plaintext' && kind !== 'wrapped') throw new InvalidRequestError(`invalid path, must be 'plaintext' or 'wrapped'`);
    const bits = d.getInt('bits');
    if (bits !== 128 && bits !== 256 && bits !== 512) throw new InvalidRequestError('invalid bits value');
    const k = await existing(d.getString('name'));
    const fresh = randomBytes(bits / 8);
    const { ciphertext, version } = encryptValue(k, d.getInt('key_version'), fresh, undefined);
    const data: Record<string, unknown> = { ciphertext, key_version: version };
    if (kind === 'plaintext') data.plaintext = fresh.toString('base64');
    return { data };
  };

  const named = (verb: string): string => `${verb}/${GENERIC_NAME('name')}`;
  const fields = (extra: FieldSchemas): FieldSchemas => ({ ...NAME, ...BATCH, ...extra });

  return [
    {
      pattern: named('encrypt'),
      fields: fields({
        plaintext: { type: 'string', description: 'Base64 plaintext to encrypt.' },
        type: { type: 'string', default: 'aes256-gcm96', description: 'The type of key to create when encrypting to a new name.' },
        reference: { type: 'string', description: 'Echoed in the response.' },
        ...KEY_VERSION,
        ...AAD,
      }),
      operations: { create: encrypt, update: encrypt },
      existenceCheck: async (_req, d) => (await store.get(d.getString('name'))) !== null,
      helpSynopsis: 'Encrypt a plaintext value or a batch of plaintext blocks using a named key',
    },
    {
      pattern: named('decrypt'),
      fields: fields({ ciphertext: { type: 'string', description: 'The ciphertext to decrypt (vault:v<n>:...).' }, reference: { type: 'string' }, ...AAD }),
      operations: { update: decrypt },
      helpSynopsis: 'Decrypt a ciphertext value using a named key',
    },
    {
      pattern: named('rewrap'),
      fields: fields({ ciphertext: { type: 'string', description: 'The ciphertext to re-encrypt.' }, reference: { type: 'string' }, ...KEY_VERSION, ...AAD }),
      operations: { update: rewrap },
      helpSynopsis: 'Rewrap ciphertext with the latest (or a given) version of the key',
    },
    {
      pattern: `datakey/${GENERIC_NAME('plaintext')}/${GENERIC_NAME('name')}`,
      fields: {
        ...NAME,
        plaintext: { type: 'string', description: `"plaintext" returns the key in plaintext as well as wrapped; "wrapped" only wrapped.` },
        bits: { type: 'int', default: 256, description: 'Number of bits of the data key: 128, 256 or 512.' },
        ...KEY_VERSION,
      },
      operations: { update: datakey },
      helpSynopsis: 'Generate a data key, wrapped by a named key',
    },
  ];
}
