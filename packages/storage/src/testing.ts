export { exerciseBackend, type ConformanceOptions } from './testing/conformance.js';
export { exerciseLock, type LockSuiteHooks } from './testing/lock-suite.js';
export { findConsul, consulVersion, consulCachePath, CONSUL_VERSION } from './testing/consul-binary.js';
export {
  startConsulDev,
  startConsulCluster,
  TEST_ONLY_CONSUL_SETTINGS,
  type ConsulAgent,
  type ConsulCluster,
} from './testing/consul-process.js';
export { freePorts } from './testing/ports.js';
