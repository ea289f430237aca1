import { FrameworkBackend } from '../framework/framework-backend.js';
import type { LogicalBackend, SpecialPaths } from '../logical/backend.js';
import type { AuditTable } from '../audit/index.js';
import type { ExpirationManager } from '../expiration/expiration-manager.js';
import type { SystemView } from '../logical/backend.js';
import type { MountTable } from '../mounts/mount-table.js';
import type { Router } from '../mounts/router.js';
import type { PolicyStore } from '../policy/index.js';
import type { TokenStore } from '../token/token-store.js';
import type { Wrapping } from '../wrapping/wrapping.js';
import { auditPaths } from './audit-paths.js';
import { capabilitiesPaths } from './capabilities-paths.js';
import { haStatusPaths, type HAMembers } from './ha-status-paths.js';
import { infoPaths, type PluginCatalog } from './info-paths.js';
import { serverPaths } from './server-paths.js';
import type { ServerView } from './server-view.js';
import type { VersionHistory } from './version-history.js';
import { internalUIPaths } from './internal-ui-paths.js';
import { LEASES_ROOT_PATHS, leasesPaths } from './leases-paths.js';
import { authPaths, mountsPaths } from './mounts-paths.js';
import { policyPaths } from './policy-paths.js';
import { remountPaths } from './remount-paths.js';
import { sealPaths, type SealPathsDeps } from './seal-paths.js';
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
    // The backup holds the new unseal keys (PGP-encrypted): reading or deleting it is an operator's act.
    'rekey/backup',
    'rekey/recovery-key-backup',
    ...LEASES_ROOT_PATHS,
  ],
  // The internal UI paths check the caller's token themselves, so a token without a policy on them still works.
  // Rekey and root generation are driven by unseal-key holders, who may have no token: only those steps are open.
  unauthenticated: [
    'wrapping/lookup',
    'internal/ui/mounts',
    'internal/ui/mounts/*',
    'generate-root/attempt',
    'generate-root/update',
    'rekey/init',
    'rekey/update',
    'rekey/verify',
  ],
  unauthenticatedWithTokenField: ['wrapping/unwrap'],
  // Handlers that act on the caller's token: capabilities-self, token-based wrapping and unwrapping.
  clientToken: ['*'],
  // Unwrapping consumes the wrapping token itself.
  noTokenUse: ['wrapping/unwrap*'],
};

/** Everything the `sys/` paths act on. */
export interface SystemBackendDeps extends SealPathsDeps {
  system: SystemView;
  router: Router;
  mounts: MountTable;
  authMounts: MountTable;
  policies: PolicyStore;
  tokens: TokenStore;
  expiration: ExpirationManager;
  auditTable: AuditTable;
  wrapping: Wrapping;
  haMembers: HAMembers;
  catalog: PluginCatalog;
  versions: VersionHistory;
  /** The server's own data (loggers, in-flight requests, host, configuration); absent for a bare node. */
  server?: ServerView;
}

/** The `sys/` backend every node mounts at `sys/`; each group of paths gets only what it acts on. */
export function systemBackend(d: SystemBackendDeps): LogicalBackend {
  return new FrameworkBackend({
    class: 'system',
    help: HELP,
    paths: [
      ...sealPaths(d),
      ...leasesPaths(d),
      ...mountsPaths(d),
      ...authPaths(d),
      ...remountPaths(d),
      ...policyPaths(d),
      ...auditPaths(d),
      ...capabilitiesPaths(d),
      ...internalUIPaths(d),
      ...wrappingPaths(d),
      ...haStatusPaths(d),
      ...infoPaths(d),
      ...(d.server ? serverPaths({ server: d.server }) : []),
      ...toolsPaths(),
    ],
    specialPaths: SYSTEM_SPECIAL_PATHS,
  });
}
