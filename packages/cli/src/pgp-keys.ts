// PGP public keys given as files (`-pgp-keys=a.asc,b.asc`), turned into the base64 of the binary key the API wants.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError, UsageError } from './errors.js';

/** The base64 body of an ASCII-armored block, without its headers and checksum line; null if not armored. */
export function dearmor(text: string): string | null {
  const lines = text.replace(/\r/g, '').split('\n');
  const begin = lines.findIndex((l) => /^-----BEGIN PGP PUBLIC KEY BLOCK-----/.test(l.trim()));
  if (begin < 0) return null;
  const end = lines.findIndex((l, i) => i > begin && /^-----END PGP PUBLIC KEY BLOCK-----/.test(l.trim()));
  if (end < 0) return null;
  let i = begin + 1;
  // Armor headers ("Version: ...") run until the first blank line.
  if (lines.slice(i, end).some((l) => l.trim() === '')) {
    while (i < end && lines[i]!.trim() !== '') i++;
  }
  const body = lines
    .slice(i, end)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('='));
  return body.join('');
}

function isBase64(text: string): boolean {
  const t = text.trim();
  return t.length > 0 && t.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(t);
}

export async function readPgpKeyFile(file: string, cwd: string): Promise<string> {
  const name = file.startsWith('@') ? file.slice(1) : file;
  if (name.startsWith('keybase:')) throw new UsageError('Keybase lookups are not supported: give the public key as a file');
  let bytes: Buffer;
  try {
    bytes = await readFile(path.resolve(cwd, name));
  } catch (err) {
    throw new InvalidInputError(`error reading PGP key ${name}: ${(err as Error).message}`, { cause: err });
  }
  const text = bytes.toString('utf8');
  const armored = dearmor(text);
  if (armored !== null) return armored;
  if (isBase64(text)) return text.trim();
  return bytes.toString('base64');
}

/** A comma-separated list of key files, each read and encoded. */
export async function readPgpKeyList(list: string, cwd: string): Promise<string[]> {
  const files = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return Promise.all(files.map((f) => readPgpKeyFile(f, cwd)));
}
