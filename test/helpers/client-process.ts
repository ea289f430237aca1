// Runs a client program (a Python script, a Go binary, the vault CLI) as a child process without blocking the event
// loop, so in-process servers and log collection keep running while it works.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args`, collecting its output; kills it (SIGKILL) after `timeoutMs` or when this process exits. */
export function runProcess(cmd: string, args: string[], o: { env?: Record<string, string | undefined>; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: o.env ?? process.env, stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-100_000)));
    if (o.input !== undefined) child.stdin!.end(o.input);
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.on('exit', killOnExit);
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${o.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, o.timeoutMs ?? 300_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs one of scripts/<name>/ensure.mjs and returns the last line it prints (the path it found or built). */
export async function ensureTool(name: string): Promise<string> {
  const r = await runProcess(process.execPath, [path.join(repoRoot, 'scripts', name, 'ensure.mjs')], { timeoutMs: 900_000 });
  if (r.code !== 0) throw new Error(`scripts/${name}/ensure.mjs failed (${r.code}):\n${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!;
}
