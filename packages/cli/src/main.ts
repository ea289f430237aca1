// The `strongroom` entry point: finds the command a command line names, parses its flags, runs it and turns any
// failure into a message on stderr and Vault's exit codes (0 ok, 1 local error, 2 remote error or nothing found).
import { allFlags, checkArgCount, createContext } from './command.js';
import { CliError } from './errors.js';
import { parseFlags } from './flags.js';
import { commandHelp, groupHelp, topHelp } from './help.js';
import type { CliIO } from './io.js';
import { PromptAborted } from './prompt.js';
import { buildCommands, resolve } from './registry.js';
import { loadServerModule, type ServerModuleLoader } from './server-module.js';

export const VERSION = '0.1.0';

/** Exit code of a command line that names no command, as Vault's CLI uses. */
const EXIT_UNKNOWN_COMMAND = 127;

const HELP_WORDS = ['-h', '-help', '--help', 'help'];

export interface MainOptions {
  /** How `server` and `operator migrate` reach the server package; replaced in tests. */
  loadServer?: ServerModuleLoader;
}

export async function main(argv: readonly string[], io: CliIO, options: MainOptions = {}): Promise<number> {
  const commands = buildCommands(options.loadServer ?? loadServerModule);
  const first = argv[0];
  if (first === undefined) {
    io.stderr.write(topHelp(commands) + '\n');
    return EXIT_UNKNOWN_COMMAND;
  }
  if (HELP_WORDS.includes(first)) {
    io.stdout.write(topHelp(commands) + '\n');
    return 0;
  }
  if (['-v', '-version', '--version', 'version'].includes(first)) {
    io.stdout.write(`Strongroom v${VERSION}\n`);
    return 0;
  }

  const { command, words, rest } = resolve(commands, argv);
  if (!command) {
    const help = words.length > 0 ? groupHelp(words, commands) : topHelp(commands);
    if (rest.length > 0 && HELP_WORDS.includes(rest[0]!)) {
      io.stdout.write(help + '\n');
      return 0;
    }
    io.stderr.write(help + '\n');
    return words.length > 0 && rest.length === 0 ? 1 : EXIT_UNKNOWN_COMMAND;
  }

  try {
    const { flags, args } = parseFlags(rest, allFlags(command));
    if (flags.bool('help')) {
      io.stdout.write(commandHelp(command) + '\n');
      return 0;
    }
    checkArgCount(command, args.length);
    return await command.run(createContext(command, io, flags, args));
  } catch (err) {
    return report(io, err);
  }
}

function report(io: CliIO, err: unknown): number {
  if (err instanceof CliError) {
    io.stderr.write(err.message + '\n');
    return err.exitCode;
  }
  if (err instanceof PromptAborted) {
    io.stderr.write('user canceled\n');
    return 1;
  }
  io.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}
