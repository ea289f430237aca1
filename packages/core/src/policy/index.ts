export { ACL, type ACLCheck, type ACLResult } from './acl.js';
export { CAPABILITIES, normalisePolicyName, parsePolicy, type Capability, type PathRules, type Policy } from './policy.js';
export { PolicyStore, type PolicyStoreOptions, type StoredPolicy } from './policy-store.js';
export { DEFAULT_POLICY, RESPONSE_WRAPPING_POLICY, RESPONSE_WRAPPING_POLICY_NAME } from './builtin-policies.js';
