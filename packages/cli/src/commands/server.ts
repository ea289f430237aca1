// server: runs a node in this process (-dev for an in-memory, unsealed one); operator migrate: offline storage copy.
import path from 'node:path';
import { Writable } from 'node:stream';
import type { CommandSpec } from '../command.js';
import { CommandFailedError, failWith, UsageError } from '../errors.js';
import type { ServerModuleLoader } from '../server-module.js';
import { step } from './helpers.js';

function serverCommand(load: ServerModuleLoader): CommandSpec {
  return {
    path: ['server'],
    synopsis: 'Start a Strongroom server',
    usage: '[options]',
    description:
      'Starts a server that runs until it is stopped (SIGINT/SIGTERM). -config may be repeated and names files or ' +
      'directories. -dev starts an in-memory, already unsealed server with a kv v2 engine at secret/; never use it ' +
      'for real secrets.',
    groups: [],
    flags: [
      { name: 'config', type: 'strings', usage: 'Configuration file or directory; repeatable.' },
      { name: 'dev', type: 'bool', usage: 'Development mode: in-memory storage, unsealed, root token printed.' },
      { name: 'dev-root-token-id', type: 'string', usage: 'Root token of a -dev server. Overrides VAULT_DEV_ROOT_TOKEN_ID.' },
      {
        name: 'dev-listen-address',
        type: 'string',
        usage: 'Listen address of a -dev server (default 127.0.0.1:8200). Overrides VAULT_DEV_LISTEN_ADDRESS.',
      },
      { name: 'log-level', type: 'string', usage: 'trace, debug, info, warn or error. Overrides VAULT_LOG_LEVEL.' },
    ],
    args: { min: 0, max: 0 },
    async run(ctx) {
      const env = ctx.io.env;
      const dev = ctx.flags.bool('dev');
      const configPaths = ctx.flags.strings('config').map((p) => path.resolve(ctx.io.cwd, p));
      if (!dev && configPaths.length === 0) throw new UsageError('At least one config path must be specified with -config');
      const mod = await load();
      if (typeof mod.runServer !== 'function') throw new CommandFailedError('The server is not available in this build', 1);
      const handle = await step(
        'Error starting server',
        () =>
          mod.runServer!({
            configPaths,
            dev,
            devRootTokenId: ctx.flags.string('dev-root-token-id') || env.VAULT_DEV_ROOT_TOKEN_ID || undefined,
            devListenAddress: ctx.flags.string('dev-listen-address') || env.VAULT_DEV_LISTEN_ADDRESS || undefined,
            logLevel: ctx.flags.string('log-level') || env.VAULT_LOG_LEVEL || undefined,
            installSignalHandlers: true,
            env,
            ...(ctx.io.stdout instanceof Writable ? { stdout: ctx.io.stdout } : {}),
            ...(ctx.io.stderr instanceof Writable ? { stderr: ctx.io.stderr } : {}),
          }),
        1,
      );
      // The server owns the signals (drain on SIGTERM, reload on SIGHUP); this command lasts as long as it runs.
      // Without a `closed` promise the process ends when the stopped server releases its sockets.
      await (handle.closed ?? new Promise<never>(() => undefined));
      return 0;
    },
  };
}

function migrateCommand(load: ServerModuleLoader): CommandSpec {
  return {
    path: ['operator', 'migrate'],
    synopsis: 'Migrates data between storage backends',
    usage: '[options]',
    description:
      'Copies every key from storage_source to storage_destination, both named in the -config file. Run it with ' +
      'the servers stopped.',
    groups: [],
    flags: [{ name: 'config', type: 'string', usage: 'Path to the migration configuration file.' }],
    args: { min: 0, max: 0 },
    async run(ctx) {
      const config = ctx.flags.string('config');
      if (!config) throw new UsageError('Must specify exactly one config path using -config');
      const mod = await load();
      if (typeof mod.migrateStorage !== 'function') {
        throw new CommandFailedError('Error migrating: storage migration is not supported by this build', 1);
      }
      try {
        await mod.migrateStorage(path.resolve(ctx.io.cwd, config));
      } catch (err) {
        throw failWith('Error migrating', err);
      }
      ctx.out.info('Success! All of the keys have been migrated.');
      return 0;
    },
  };
}

export function serverCommands(load: ServerModuleLoader): readonly CommandSpec[] {
  return [serverCommand(load), migrateCommand(load)];
}
