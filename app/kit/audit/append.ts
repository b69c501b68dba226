import { randomUUID } from 'node:crypto';
import type { AuditRow, EpochMs, JsonValue, Store } from '../store/index.ts';
import { SYSTEM_TENANT, canonicalJson } from '../store/index.ts';
import { GENESIS_HASH, auditEntryHash } from './hash.ts';

export interface AuditInput {
  /** omitted for tenant-less actions (system, install before a tenant exists): the system chain */
  tenantId?: string;
  /** who: 'apikey:<id>', 'system', 'worker:<id>' */
  actor: string;
  /** what: 'policy.update', 'model.promote', 'score.write', … */
  action: string;
  /** on what: 'policy:3', 'model:m2', 'person:123' */
  subject: string;
  details?: JsonValue;
}

function requireLabel(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) {
    throw new TypeError(`audit ${field} must be a non-empty string of at most 512 chars`);
  }
  return value;
}

/**
 * Appends one entry to the tenant's chain. The store holds the chain lock while the hash is computed,
 * so concurrent appends (threads of one process or many processes) line up instead of forking.
 */
export async function appendAudit(
  store: Pick<Store, 'appendAuditRow'>,
  input: AuditInput,
  now: EpochMs,
): Promise<AuditRow> {
  const tenantId = input.tenantId ?? SYSTEM_TENANT;
  const actor = requireLabel('actor', input.actor);
  const action = requireLabel('action', input.action);
  const subject = requireLabel('subject', input.subject);
  // Normalise now: the hash must be over exactly what the store will hand back on verification.
  const details = JSON.parse(canonicalJson(input.details ?? {})) as JsonValue;
  return await store.appendAuditRow(tenantId, (head) => {
    const entry = {
      tenantId,
      id: randomUUID(),
      seq: (head?.seq ?? 0) + 1,
      actor,
      action,
      subject,
      details,
      at: now,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    return { ...entry, hash: auditEntryHash(entry) };
  });
}
