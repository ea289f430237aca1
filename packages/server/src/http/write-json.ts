/** What the HTTP layer's writers use of a response: a ServerResponse, or a captured one (direct-dispatch.ts). */
export interface ResponseSink {
  statusCode: number;
  readonly headersSent: boolean;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  end(chunk?: string | Uint8Array, encoding?: BufferEncoding): unknown;
  destroy(): unknown;
}

/** Writes a JSON body with Vault's headers; `head` sends the status and headers only. */
export function writeJson(res: ResponseSink, status: number, body: unknown, head = false, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text, 'utf8'));
  // A string body goes out in one write together with the head; a Buffer would take a second one.
  res.end(head ? undefined : text, 'utf8');
}

/** A status without a body (204, HEAD). */
export function writeEmpty(res: ResponseSink, status: number): void {
  res.statusCode = status;
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}
