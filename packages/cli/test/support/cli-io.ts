// A CliIO that records what a command prints, with a given stdin and environment.
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/io.js';
import { main, type MainOptions } from '../../src/main.js';

export interface CapturedIO {
  io: CliIO;
  stdout(): string;
  stderr(): string;
}

export function captureIO(opts: { env?: Record<string, string | undefined>; stdin?: string; cwd?: string; tty?: boolean } = {}): CapturedIO {
  let out = '';
  let err = '';
  const stdin = new PassThrough();
  stdin.end(opts.stdin ?? '');
  return {
    io: {
      stdout: { write: (s: string) => ((out += s), true), isTTY: opts.tty ?? false },
      stderr: { write: (s: string) => ((err += s), true) },
      stdin,
      env: opts.env ?? {},
      cwd: opts.cwd ?? process.cwd(),
    },
    stdout: () => out,
    stderr: () => err,
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process. The environment always gets a HOME so no real ~/.vault-token is read. */
export async function run(
  argv: string[],
  opts: { env?: Record<string, string | undefined>; stdin?: string; cwd?: string; tty?: boolean; main?: MainOptions } = {},
): Promise<RunResult> {
  const env = { HOME: '/nonexistent-home', ...opts.env };
  const cap = captureIO({ ...opts, env });
  const code = await main(argv, cap.io, opts.main);
  return { code, stdout: cap.stdout(), stderr: cap.stderr() };
}
