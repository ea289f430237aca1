import type { IncomingMessage } from 'node:http';

/** Header the cluster listener sets on a request it injects: the id of the standby that forwarded it. */
export const FORWARDED_FROM_HEADER = 'x-strongroom-forwarded-from';

export interface ForwardedOrigin {
  /** Node id of the standby that forwarded the request. */
  nodeId: string;
  /** The client's own address and port, as the standby saw them. */
  remoteAddress: string;
  remotePort: number;
}

/**
 * Remembers which request objects the cluster listener injected. A client can send any header, so the forwarded-from
 * header is believed only on a request object this node created itself; on every other request it is removed.
 */
export class ForwardedRequests {
  private readonly marks = new WeakMap<object, ForwardedOrigin>();

  mark(req: object, origin: ForwardedOrigin): void {
    this.marks.set(req, origin);
  }

  /**
   * For the HTTP layer, on every request before anything reads its headers: the origin of a request a standby
   * forwarded, or undefined for a direct client request, whose forged `x-strongroom-forwarded-from` is dropped.
   */
  originOf(req: IncomingMessage): ForwardedOrigin | undefined {
    const origin = this.marks.get(req);
    if (!origin) stripHeader(req, FORWARDED_FROM_HEADER);
    return origin;
  }
}

function stripHeader(req: IncomingMessage, name: string): void {
  if (!(name in req.headers)) return;
  delete req.headers[name];
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (raw[i]?.toLowerCase() === name) raw.splice(i, 2);
  }
}
