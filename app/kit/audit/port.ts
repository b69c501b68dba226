import type { EpochMs, JsonValue } from '../store/index.ts';

/** One audit entry as a feature hands it over; the runtime appends it to the hash chain (append.ts). */
export interface AuditEntry {
  readonly tenantId: string;
  /** e.g. `apikey:<keyId>`, `system:install` */
  readonly actor: string;
  /** e.g. `policy.update` */
  readonly action: string;
  /** e.g. `policy:3` */
  readonly subject: string;
  readonly details: JsonValue;
  readonly at: EpochMs;
}

/** Appends to the tamper-evident audit trail; injected so features do not own the hashing or the store. */
export type AuditAppend = (entry: AuditEntry) => Promise<void>;
