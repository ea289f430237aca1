export {
  ClusterIdentityStore,
  CLUSTER_IDENTITY_PATH,
  generateClusterIdentity,
  parseClusterIdentity,
  identityFromAdvertisement,
  identityAdvertisement,
  type ClusterIdentity,
  type IdentityAdvertisement,
  type IdentityStorage,
} from './cluster-identity.js';
export { ClusterListener, type ClusterListenerOptions } from './cluster-listener.js';
export { ForwardingClient, type ForwardingClientOptions, type ForwardingHealth } from './forwarding-client.js';
export {
  decideStandbyRoute,
  NO_REQUEST_FORWARDING_HEADER,
  type StandbyRoute,
  type StandbyRouteInput,
} from './forwarding.js';
export type { ForwardedHttpRequest, ForwardedHttpResponse } from './forwarding-service.js';
export { captureRequest, writeForwardedResponse, HOP_BY_HOP_HEADERS } from './http-relay.js';
export {
  registerForwardingMetrics,
  HEARTBEAT_AGE_METRIC,
  FORWARDED_REQUESTS_METRIC,
  type ForwardingMetrics,
} from './forwarding-metrics.js';
export { installClustering, type InstallClusteringOptions, type Clustering } from './install-clustering.js';
export { ClusterError, ClusterIdentityError, ForwardingError, type ClusterErrorCode } from './errors.js';
