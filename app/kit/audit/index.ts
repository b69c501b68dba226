// The audit folder's only door: append to and verify the hash-chained, append-only audit trail.
export { appendAudit } from './append.ts';
export type { AuditInput } from './append.ts';
export { verifyAuditChain } from './verify.ts';
export type { AuditVerification } from './verify.ts';
export { GENESIS_HASH, auditEntryHash } from './hash.ts';
export type { AuditAppend, AuditEntry } from './port.ts';
