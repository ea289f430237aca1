import type { Core } from '../core.js';
import { FrameworkBackend } from '../framework/framework-backend.js';
import type { LogicalBackend, SpecialPaths } from '../logical/backend.js';
import { auditPaths } from './audit-paths.js';
import { capabilitiesPaths } from './capabilities-paths.js';
import { internalUIPaths } from './internal-ui-paths.js';
import { LEASES_ROOT_PATHS, leasesPaths } from './leases-paths.js';
import { authPaths, mountsPaths } from './mounts-paths.js';
import { policyPaths } from './policy-paths.js';
import { sealPaths } from './seal-paths.js';
import { toolsPaths } from './tools-paths.js';
import { wrappingPaths } from './wrapping-paths.js';

const HELP = `
The system backend is built in and mounted at /sys. It controls the node: mounts, auth methods, policies, audit
devices, leases, response wrapping, sealing, rotation, rekey and root token generation.
`;

/** Vault's `PathsSpecial` of the system backend (vault/logical_system.go), relative to `sys/`. */
export const SYSTEM_SPECIAL_PATHS: SpecialPaths = {
  root: [
    'auth/*',
    'remount',
    'audit',
    'audit/*',
    'raw',
    'raw/*',
    'rotate',
    'config/cors',
    'config/auditing/*',
    'config/ui/headers/*',
    'plugins/catalog/*',
    'seal',
    'step-down',
    ...LEASES_ROOT_PATHS,
  ],
  // The internal UI paths check the caller's token themselves, so a token without a policy on them still works.
  unauthenticated: ['wrapping/lookup', 'internal/ui/mounts', 'internal/ui/mounts/*'],
};

/**
 * The `sys/` backend every node mounts at `sys/`. Handlers read `core.mounts` and friends at request time: the core
 * builds this backend before its mount tables.
 */
export function systemBackend(core: Core): LogicalBackend {
  return new FrameworkBackend({
    class: 'system',
    help: HELP,
    paths: [
      ...sealPaths(core),
      ...leasesPaths(core),
      ...mountsPaths(core),
      ...authPaths(core),
      ...policyPaths(core),
      ...auditPaths(core),
      ...capabilitiesPaths(core),
      ...internalUIPaths(core),
      ...wrappingPaths(core),
      ...toolsPaths(),
    ],
    specialPaths: SYSTEM_SPECIAL_PATHS,
  });
}
