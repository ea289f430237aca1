import { InvalidRequestError } from '../errors.js';
import type { BackendFactory } from '../logical/backend.js';
import { kvV1Factory } from './kv-v1.js';
import { kvV2Factory } from './kv-v2.js';

export { cubbyholeFactory, cubbyholeFolder, destroyCubbyhole, readCubbyhole, writeCubbyhole } from './cubbyhole.js';
export { kvV1Factory } from './kv-v1.js';
export { kvV2Factory } from './kv-v2.js';

/** The `kv` type: `options.version` picks v1 (the default, as Vault's) or v2. */
export const kvFactory: BackendFactory = async (ctx) => {
  const version = (ctx.options.version ?? '').trim();
  if (version === '' || version === '1') return kvV1Factory(ctx);
  if (version === '2') return kvV2Factory(ctx);
  throw new InvalidRequestError(`invalid kv version "${version}": must be 1 or 2`);
};
