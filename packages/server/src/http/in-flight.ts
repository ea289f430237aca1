import { randomUUID } from 'node:crypto';

interface InFlight {
  start_time: string;
  client_remote_address: string;
  request_path: string;
  request_method: string;
  client_id: string;
}

/** The requests a server is serving right now, for `sys/in-flight-req` (Vault's InFlightReqData, by request id). */
export class InFlightRequests {
  private readonly requests = new Map<string, InFlight>();

  /** Records a request as it comes in; the function returned forgets it once answered. */
  begin(r: { method: string; path: string; remoteAddress: string | undefined }): () => void {
    const id = randomUUID();
    this.requests.set(id, {
      start_time: new Date().toISOString(),
      client_remote_address: r.remoteAddress ?? '',
      request_path: r.path,
      request_method: r.method,
      client_id: '',
    });
    return () => this.requests.delete(id);
  }

  snapshot(): Record<string, Record<string, unknown>> {
    return Object.fromEntries([...this.requests].map(([id, r]) => [id, { ...r }]));
  }
}
