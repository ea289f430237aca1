// Every command of the CLI, and lookup of the one a command line names.
import type { CommandSpec } from './command.js';
import { auditCommands } from './commands/audit.js';
import { genericCommands } from './commands/generic.js';
import { kvMetadataCommands } from './commands/kv-metadata.js';
import { kvVersionCommands } from './commands/kv-versions.js';
import { kvCommands } from './commands/kv.js';
import { leaseCommands } from './commands/lease.js';
import { loginCommands } from './commands/login.js';
import { mountCommands } from './commands/mounts.js';
import { operatorGenerateRootCommands } from './commands/operator-generate-root.js';
import { operatorInitCommands } from './commands/operator-init.js';
import { operatorRekeyCommands } from './commands/operator-rekey.js';
import { operatorSealCommands } from './commands/operator-seal.js';
import { policyCommands } from './commands/policy.js';
import { serverCommands } from './commands/server.js';
import { statusCommands } from './commands/status.js';
import { tokenCommands } from './commands/token.js';
import type { ServerModuleLoader } from './server-module.js';

/** One-line descriptions of the words that only group subcommands. */
export const GROUP_SYNOPSES: Readonly<Record<string, string>> = {
  operator: 'Perform operator-specific tasks',
  token: 'Interact with tokens',
  kv: 'Interact with the key-value store',
  'kv metadata': 'Interact with secret metadata in the key-value store',
  secrets: 'Interact with secrets engines',
  auth: 'Interact with auth methods',
  policy: 'Interact with policies',
  audit: 'Interact with audit devices',
  lease: 'Interact with leases',
};

export function buildCommands(loadServer: ServerModuleLoader): CommandSpec[] {
  return [
    ...genericCommands,
    ...statusCommands,
    ...loginCommands,
    ...serverCommands(loadServer),
    ...operatorInitCommands,
    ...operatorSealCommands,
    ...operatorRekeyCommands,
    ...operatorGenerateRootCommands,
    ...tokenCommands,
    ...kvCommands,
    ...kvVersionCommands,
    ...kvMetadataCommands,
    ...mountCommands,
    ...policyCommands,
    ...auditCommands,
    ...leaseCommands,
  ];
}

export interface Resolved {
  /** The command, when the leading words name one. */
  command?: CommandSpec;
  /** The words matched (a group such as `kv` when no command matched). */
  words: string[];
  /** What follows the matched words. */
  rest: string[];
}

/** The longest run of leading words that names a command or a group; flags end the run. */
export function resolve(commands: readonly CommandSpec[], argv: readonly string[]): Resolved {
  const byPath = new Map(commands.map((c) => [c.path.join(' '), c]));
  const groups = new Set(commands.flatMap((c) => c.path.slice(1).map((_, i) => c.path.slice(0, i + 1).join(' '))));
  let best: Resolved = { words: [], rest: [...argv] };
  for (let n = 1; n <= argv.length; n++) {
    const word = argv[n - 1]!;
    if (word.startsWith('-')) break;
    const key = argv.slice(0, n).join(' ');
    const command = byPath.get(key);
    if (command) best = { command, words: argv.slice(0, n), rest: argv.slice(n) };
    else if (groups.has(key)) best = { words: argv.slice(0, n), rest: argv.slice(n) };
    else break;
  }
  return best;
}
