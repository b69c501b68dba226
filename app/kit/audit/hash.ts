import { createHash } from 'node:crypto';
import type { AuditRow } from '../store/index.ts';
import { canonicalJson } from '../store/index.ts';

/** prev_hash of the first entry of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * sha256 over the canonical JSON (sorted keys) of every field of the entry except its own hash,
 * prev_hash included, so changing any field, reordering entries or removing one changes a hash.
 */
export function auditEntryHash(entry: Omit<AuditRow, 'hash'>): string {
  const canonical = canonicalJson({
    tenantId: entry.tenantId,
    id: entry.id,
    seq: entry.seq,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject,
    details: entry.details,
    at: entry.at,
    prevHash: entry.prevHash,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
