import { FrameworkBackend } from '../framework/framework-backend.js';
import type { BackendFactory } from '../logical/backend.js';
import { silentLogger } from '../util/logger.js';
import { databaseConfigPaths } from './database-config-paths.js';
import { DatabaseConnections } from './database-connections.js';
import { credsSecretType, databaseCredsPaths } from './database-creds.js';
import { DatabaseRoles, databaseRolePaths } from './database-roles.js';

const HELP = `
The database secrets engine issues database credentials on demand: each read of creds/<role> creates a user
with the role's statements and a lease; when the lease ends (or is revoked, or the mount is disabled) the user
is dropped. Connections are configured at config/<name>; PostgreSQL through postgresql-database-plugin.
`;

/** Vault's `database` secrets engine, with the PostgreSQL plugin. */
export const databaseFactory: BackendFactory = async (ctx) => {
  const connections = new DatabaseConnections(ctx.storage);
  const roles = new DatabaseRoles(ctx.storage);
  const deps = { connections, roles, system: ctx.system, logger: ctx.logger ?? silentLogger };
  return new FrameworkBackend({
    class: 'secret',
    help: HELP,
    paths: [...databaseConfigPaths(connections), ...databaseRolePaths(roles), ...databaseCredsPaths(deps)],
    secrets: [credsSecretType(deps)],
    // Unmount, seal and step-down close every pool: no connection outlives the node's active role.
    cleanup: () => connections.closeAll(),
  });
};
