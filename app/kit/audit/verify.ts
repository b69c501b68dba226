import type { AuditRow, Store } from '../store/index.ts';
import { GENESIS_HASH, auditEntryHash } from './hash.ts';

export type AuditVerification =
  | { ok: true; count: number }
  | {
      ok: false;
      tenantId: string;
      /** id of the first entry that does not check out; null when entries are missing at the end */
      firstBrokenId: string | null;
      /** seq of that entry (or of the first missing one) */
      seq: number;
      reason: string;
    };

const PAGE = 500;

type AuditReader = Pick<Store, 'listAuditRows' | 'getAuditHead' | 'listAuditChains'>;

function broken(tenantId: string, row: AuditRow | null, seq: number, reason: string): AuditVerification {
  return { ok: false, tenantId, firstBrokenId: row?.id ?? null, seq, reason };
}

async function verifyOne(store: AuditReader, tenantId: string): Promise<AuditVerification> {
  let prev = { seq: 0, hash: GENESIS_HASH };
  let count = 0;
  for (;;) {
    const rows = await store.listAuditRows(tenantId, prev.seq, PAGE);
    for (const row of rows) {
      // Order of checks: a removed entry shows first as a gap / prev_hash mismatch on the entry after it;
      // an edited entry shows as its own content no longer matching its hash.
      if (row.seq !== prev.seq + 1) {
        return broken(
          tenantId,
          row,
          row.seq,
          `entry ${row.seq} follows entry ${prev.seq}: entries between them were removed`,
        );
      }
      if (row.prevHash !== prev.hash) {
        return broken(
          tenantId,
          row,
          row.seq,
          `prev_hash of entry ${row.seq} is not the hash of entry ${prev.seq}`,
        );
      }
      if (auditEntryHash(row) !== row.hash) {
        return broken(tenantId, row, row.seq, `entry ${row.seq} does not match its hash: it was edited`);
      }
      prev = { seq: row.seq, hash: row.hash };
      count++;
    }
    if (rows.length < PAGE) break;
  }
  // The head row records the last entry ever appended: entries removed from the end show here.
  const head = await store.getAuditHead(tenantId);
  if (head !== undefined && (head.seq !== prev.seq || head.hash !== prev.hash)) {
    return broken(
      tenantId,
      null,
      prev.seq + 1,
      `chain ends at entry ${prev.seq} but its head records entry ${head.seq}: entries at the end were removed or altered`,
    );
  }
  return { ok: true, count };
}

/**
 * Walks a tenant's chain (or, without tenantId, every chain, the system chain included) and reports the
 * first broken link. Note what it proves: rows were not edited, removed or reordered after the fact by
 * someone who cannot also recompute every later hash and the head; anchoring the head hash outside the
 * database (e.g. in logs) extends that to a database administrator.
 */
export async function verifyAuditChain(store: AuditReader, tenantId?: string): Promise<AuditVerification> {
  const chains = tenantId === undefined ? await store.listAuditChains() : [tenantId];
  let total = 0;
  for (const chain of chains) {
    const result = await verifyOne(store, chain);
    if (!result.ok) return result;
    total += result.count;
  }
  return { ok: true, count: total };
}
