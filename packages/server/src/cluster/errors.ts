import { CodedError } from '@strongroom/storage';

/** Stable codes of the errors the cluster layer throws. */
export type ClusterErrorCode = 'cluster_identity_invalid' | 'cluster_forwarding_failed';

/** An error of the cluster layer; its status comes from the server's one table like every other code. */
export class ClusterError extends CodedError<ClusterErrorCode> {
  constructor(code: ClusterErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ClusterError';
  }
}

/** A stored or advertised cluster certificate and key that cannot be used (bad PEM, key not matching the cert). */
export class ClusterIdentityError extends ClusterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('cluster_identity_invalid', message, options);
    this.name = 'ClusterIdentityError';
  }
}

/**
 * Forwarding a request to the active node failed. `transport` is true when the request cannot have reached the
 * active's HTTP handler (no connection, handshake or pinning refused, the peer is no longer active): the standby
 * then answers 307 to the active's API address, as Vault does.
 */
export class ForwardingError extends ClusterError {
  constructor(
    message: string,
    readonly transport: boolean,
    /** The gRPC status code, for logs. */
    readonly grpcCode?: number,
    options?: { cause?: unknown },
  ) {
    super('cluster_forwarding_failed', message, options);
    this.name = 'ForwardingError';
  }
}
