export { AuditBroker, DEFAULT_AUDIT_TIMEOUT_MS, type AuditBrokerOptions, type AuditRegistration } from './audit-broker.js';
export type { AuditDevice, AuditDeviceFactory, AuditEntry, AuditAuth, AuditRequest, AuditResponse, AuditWrapInfo } from './audit-device.js';
export { formatRequestEntry, formatResponseEntry, encodeEntry, type AuditInput } from './audit-entry.js';
export { parseFormatOptions, parseBoolOption, type FormatOptions } from './audit-options.js';
export { FileAuditDevice, fileAuditFactory, parseFileAuditOptions, type FileAuditOptions } from './file-device.js';
export { hashWithSalt } from './salt.js';
export {
  AuditTable,
  AUDIT_TABLE_KEY,
  type AuditTableEntry,
  type AuditTableOptions,
  type AuditDeviceInfo,
  type EnableAuditRequest,
} from './audit-table.js';
