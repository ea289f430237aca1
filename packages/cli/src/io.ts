// The process surface a command touches, injectable so tests can run main() in-process and capture output.

export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Reader extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface CliIO {
  stdout: Writer;
  stderr: Writer;
  stdin: Reader;
  env: Record<string, string | undefined>;
  /** Base for relative `@file` and policy file paths. */
  cwd: string;
}

export function processIO(overrides: Partial<CliIO> = {}): CliIO {
  return {
    stdout: overrides.stdout ?? process.stdout,
    stderr: overrides.stderr ?? process.stderr,
    stdin: overrides.stdin ?? process.stdin,
    env: overrides.env ?? process.env,
    cwd: overrides.cwd ?? process.cwd(),
  };
}

/** Reads stdin to its end (JSON bodies, policies, `key=-` values). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads up to the first newline and stops, so a pipe that stays open (a wrapper script, a test harness) does not
 * hang a command that only wants one line.
 */
export function readLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const finish = (value: string): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish(buf.slice(0, nl).replace(/\r$/, ''));
    };
    const onEnd = (): void => finish(buf.replace(/\r?\n$/, ''));
    const onError = (err: Error): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      reject(err);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.resume();
  });
}
