// Secret prompts (unseal keys, tokens, passwords): hidden on a terminal, one line from a pipe otherwise.
import { readLine, type CliIO } from './io.js';

export class PromptAborted extends Error {
  constructor() {
    super('interrupted');
  }
}

export async function promptSecret(io: CliIO, message: string): Promise<string> {
  const stdin = io.stdin;
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') return (await readLine(stdin)).trim();
  io.stderr.write(message);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err: Error | null): void => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value.trim());
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(null);
        if (ch === '\u0003') return done(new PromptAborted());
        // Backspace / delete: raw mode hands us the control character instead of editing the line.
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode!(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}
