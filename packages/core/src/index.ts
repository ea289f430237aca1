export { Node, type NodeOptions } from './node.js';
export type { NodeEvent } from './core.js';
export {
  CoreError,
  InvalidRequestError,
  PermissionDeniedError,
  UnsupportedPathError,
  UnsupportedOperationError,
  NotFoundError,
  SealedError,
  StandbyError,
  NoActiveNodeError,
  AuditFailedError,
  type CoreErrorCode,
} from './errors.js';
export { systemClock, type Clock } from './clock.js';
export { silentLogger, type Logger } from './util/logger.js';
export type { Request, Response, Auth, Secret, WrapInfo, RequestAuth, Operation } from './logical/request.js';
export { isEmptyResponse } from './logical/request.js';
export { redactTokenInPath } from './util/token-in-path.js';
export type { LogicalBackend, BackendFactory, BackendContext, SystemView, SpecialPaths } from './logical/backend.js';
export { FrameworkBackend, type FrameworkBackendDef, type SecretType } from './framework/framework-backend.js';
export type { PathDef } from './framework/path.js';
export { FieldData, type FieldSchema, type FieldSchemas } from './framework/field.js';
export { isLocalPath, LOCAL_PATHS } from './sys/local-paths.js';
export { LOG_LEVELS, type LogLevels, type ServerLogLevel, type ServerView } from './sys/server-view.js';
export { VERSION, BUILD_DATE, type SealStatus, type InitParams, type InitResult } from './seal/seal-lifecycle.js';
export type { HAManager, HAPeer, HAStatus, LeaderAdvertisement } from './ha/ha-manager.js';
export { parseHCL, HCLSyntaxError } from './hcl.js';
export { AuditBroker, fileAuditFactory, type AuditDevice, type AuditDeviceFactory, type AuditEntry } from './audit/index.js';
export { PolicyStore, ACL, parsePolicy, type Policy, type Capability } from './policy/index.js';
export { kvFactory, kvV1Factory, kvV2Factory, cubbyholeFactory } from './engines/index.js';
export { transitFactory } from './engines/transit.js';
export { databaseFactory } from './engines/database.js';
export { userpassFactory } from './credential/userpass.js';
export { approleFactory } from './credential/approle.js';
export { githubFactory } from './credential/github.js';
export { responseEnvelope, authBlock } from './wrapping/envelope.js';
