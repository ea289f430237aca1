import { createHmac, randomBytes } from 'node:crypto';
import type { Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import { FrameworkBackend } from '../framework/framework-backend.js';
import type { FieldData } from '../framework/field.js';
import type { BackendContext, LogicalBackend } from '../logical/backend.js';
import type { Request, Response } from '../logical/request.js';
import { decodeJSON, encodeJSON, isStorableKey, requireStorableKey } from '../util/json-entry.js';
import { listFolder } from './kv-v1.js';

const HELP = `
The cubbyhole backend reads and writes arbitrary secrets to the backend.
The secrets are encrypted/decrypted by Strongroom: they are never stored
unencrypted in the backend and the backend never has an opportunity to
see the unencrypted value.

This backend differs from the 'kv' backend in that it is namespaced
per-token. Tokens can only read and write their own values, with no
sudo bypass. When the token is revoked, all values stored with it are
also removed.
`;

/** The key the HMAC of every token's folder is made with; created with the mount, kept inside the barrier. */
const SALT_KEY = 'salt';
const TOKENS_PREFIX = 'token/';

/**
 * Reads the mount's salt, creating it the first time. The mount creates it when it is loaded, before any request,
 * so two callers never race to create different ones.
 */
async function salt(storage: Backend): Promise<Buffer> {
  const raw = await storage.get(SALT_KEY);
  if (raw) return Buffer.from(raw);
  const fresh = randomBytes(32);
  await storage.put(SALT_KEY, new Uint8Array(fresh));
  return fresh;
}

function folderOf(saltBytes: Buffer, token: string): string {
  return `${TOKENS_PREFIX}${createHmac('sha256', saltBytes).update(token, 'utf8').digest('hex')}/`;
}

/**
 * The folder (inside the cubbyhole mount's view) holding `token`'s private data: an HMAC of the token under the
 * mount's salt, so the raw token never appears in a storage key.
 */
export async function cubbyholeFolder(storage: Backend, token: string): Promise<string> {
  if (!token) throw new InvalidRequestError('client token empty');
  return folderOf(await salt(storage), token);
}

/** Reads one entry of `token`'s cubbyhole as the engine stores it (a JSON map), or null. */
export async function readCubbyhole(storage: Backend, token: string, path: string): Promise<Record<string, unknown> | null> {
  const key = (await cubbyholeFolder(storage, token)) + path;
  if (!isStorableKey(key)) return null;
  const raw = await storage.get(key);
  return raw ? decodeJSON<Record<string, unknown>>(raw) : null;
}

/** Writes one entry of `token`'s cubbyhole as the engine stores it, so the token itself can read it back. */
export async function writeCubbyhole(storage: Backend, token: string, path: string, data: Record<string, unknown>): Promise<void> {
  const key = (await cubbyholeFolder(storage, token)) + path;
  requireStorableKey(key, path);
  await storage.put(key, encodeJSON(data));
}

async function deleteTree(storage: Backend, prefix: string): Promise<void> {
  for (const name of await storage.list(prefix)) {
    if (name.endsWith('/')) await deleteTree(storage, prefix + name);
    else await storage.delete(prefix + name);
  }
}

/** Removes everything `tokenId` stored; the core calls it when the token is revoked. */
export async function destroyCubbyhole(storage: Backend, tokenId: string): Promise<void> {
  if (!tokenId) return;
  const raw = await storage.get(SALT_KEY);
  if (!raw) return;
  await deleteTree(storage, folderOf(Buffer.from(raw), tokenId));
}

/**
 * Per-token private storage, as Vault's cubbyhole: the router hands it the client token (never the other
 * engines), and every path is relative to that token's own folder. No leases, no TTL hints.
 */
export async function cubbyholeFactory(ctx: BackendContext): Promise<LogicalBackend> {
  const { storage } = ctx;
  const saltBytes = await salt(storage);

  const folder = (req: Request): string => {
    if (!req.clientToken) throw new InvalidRequestError('client token empty');
    return folderOf(saltBytes, req.clientToken);
  };

  const read = async (req: Request, data: FieldData): Promise<Response | null> => {
    const base = folder(req);
    const path = data.getString('path');
    if (path === '') throw new InvalidRequestError('missing path');
    if (!isStorableKey(base + path)) return null;
    const raw = await storage.get(base + path);
    return raw ? { data: decodeJSON<Record<string, unknown>>(raw) } : null;
  };

  const write = async (req: Request, data: FieldData): Promise<Response | null> => {
    const base = folder(req);
    if (Object.keys(req.data).length === 0) throw new InvalidRequestError('missing data fields');
    const path = data.getString('path');
    if (path === '') throw new InvalidRequestError('missing path');
    requireStorableKey(base + path, path);
    await storage.put(base + path, encodeJSON(req.data));
    return null;
  };

  const remove = async (req: Request, data: FieldData): Promise<Response | null> => {
    const base = folder(req);
    const path = data.getString('path');
    if (path !== '' && isStorableKey(base + path)) await storage.delete(base + path);
    return null;
  };

  const list = async (req: Request, data: FieldData): Promise<Response | null> =>
    listFolder(storage, folder(req), data.getString('path'));

  return new FrameworkBackend({
    class: 'secret',
    help: HELP,
    // Each token's cubbyhole is found by the caller's token.
    specialPaths: { clientToken: ['*'] },
    paths: [
      {
        pattern: '(?<path>.*)',
        fields: { path: { type: 'string', description: 'Specifies the path of the secret.' } },
        takesArbitraryData: true,
        operations: { read, create: write, update: write, delete: remove, list },
        existenceCheck: async (req, data) => {
          if (!req.clientToken) return false;
          const key = folderOf(saltBytes, req.clientToken) + data.getString('path');
          return isStorableKey(key) && (await storage.get(key)) !== null;
        },
        helpSynopsis: 'Pass-through secret storage to a token-specific cubbyhole in the storage backend, allowing you to read/write arbitrary data into secret storage.',
        helpDescription:
          'The cubbyhole backend reads and writes arbitrary data into secret storage, encrypting it along the way. ' +
          'The view into the cubbyhole storage space is different for each token; it is a per-token cubbyhole. ' +
          'When the token is revoked all values are also revoked.',
      },
    ],
  });
}
