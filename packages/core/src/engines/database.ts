import { FrameworkBackend } from '../framework/framework-backend.js';
import type { BackendFactory } from '../logical/backend.js';
import { silentLogger } from '../util/logger.js';
import { databaseConfigPaths } from './database-config-paths.js';
import { DatabaseConnections } from './database-connections.js';
import { credsSecretType, databaseCredsPaths } from './database-creds.js';
import { DatabaseRoles, databaseRolePaths } from './database-roles.js';
import { StaticRotator } from './database-rotation.js';
import { databaseStaticPaths } from './database-static-roles.js';
import { StaticRoles } from './database-static-store.js';

const HELP = `
The database secrets engine issues database credentials on demand: each read of creds/<role> creates a user
with the role's statements and a lease; when the lease ends (or is revoked, or the mount is disabled) the user
is dropped. Connections are configured at config/<name>; PostgreSQL through postgresql-database-plugin.
`;

/** Vault's `database` secrets engine, with the PostgreSQL plugin. */
export const databaseFactory: BackendFactory = async (ctx) => {
  const connections = new DatabaseConnections(ctx.storage);
  const roles = new DatabaseRoles(ctx.storage);
  const logger = ctx.logger ?? silentLogger;
  const deps = { connections, roles, system: ctx.system, logger };
  const staticRoles = new StaticRoles(ctx.storage);
  const now = () => ctx.system.now();
  // The backend exists on the active node only (mounts load there), so this is where rotations run.
  const rotator = new StaticRotator({ roles: staticRoles, connections, now, logger });
  await rotator.start();
  return new FrameworkBackend({
    class: 'secret',
    help: HELP,
    paths: [
      ...databaseConfigPaths(connections),
      ...databaseRolePaths(roles),
      ...databaseCredsPaths(deps),
      ...databaseStaticPaths({ roles: staticRoles, connections, rotator, now }),
    ],
    secrets: [credsSecretType(deps)],
    // Unmount, seal and step-down stop the rotations and close every pool: nothing outlives the active role.
    cleanup: async () => {
      rotator.stop();
      await connections.closeAll();
    },
  });
};
