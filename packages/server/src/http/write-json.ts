import type { ServerResponse } from 'node:http';

/** Writes a JSON body with Vault's headers; `head` sends the status and headers only. */
export function writeJson(res: ServerResponse, status: number, body: unknown, head = false, contentType = 'application/json'): void {
  const buf = Buffer.from(JSON.stringify(body), 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', buf.length);
  res.end(head ? undefined : buf);
}

/** A status without a body (204, HEAD). */
export function writeEmpty(res: ServerResponse, status: number): void {
  res.statusCode = status;
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}
