import { FrameworkBackend } from '../framework/framework-backend.js';
import type { BackendContext, LogicalBackend } from '../logical/backend.js';
import { hashPath, randomPath } from '../sys/tools-paths.js';
import { transitCryptPaths } from './transit-crypt-paths.js';
import { TransitKeyStore } from './transit-key.js';
import { transitKeyPaths } from './transit-key-paths.js';

const HELP = `
The transit backend encrypts and decrypts data in transit with named keys
that never leave the server. Applications send plaintext and keep the
ciphertext; rotating a key keeps every older version available for
decryption until the minimum decryption version is raised.
`;

/** Vault's transit engine for symmetric AEAD keys: encryption as a service over keys kept in the mount's storage. */
export async function transitFactory(ctx: BackendContext): Promise<LogicalBackend> {
  const store = new TransitKeyStore(ctx.storage);
  return new FrameworkBackend({
    class: 'secret',
    help: HELP,
    // transit/hash and transit/random are Vault's sys/tools endpoints under the mount (hvac and the CLI call them).
    paths: [...transitKeyPaths(store, ctx.system), ...transitCryptPaths(store, ctx.system), hashPath(''), randomPath('')],
  });
}
