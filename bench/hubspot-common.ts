/** Shared pieces of the HubSpot benches: a store in a temp dir, pending scores, percentiles. */
import type { Store } from '../app/kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../app/kit/store/test-support.ts';

export interface BenchStore {
  db: TestDb;
  store: Store;
  tenantId: string;
}

export async function openBenchStore(portalId: number, now: number): Promise<BenchStore> {
  const db = await sqliteFactory.create();
  const store = await db.open();
  const tenant = await store.createTenant(
    { crm: 'hubspot', externalId: String(portalId), name: `bench ${portalId}` },
    now,
  );
  return { db, store, tenantId: tenant.id };
}

export async function closeBenchStore(b: BenchStore): Promise<void> {
  await b.store.close();
  await b.db.destroy();
}

/** One pending score per contact id, as scoreTenant leaves a changed contact. */
export async function insertPending(b: BenchStore, ids: readonly string[], now: number): Promise<void> {
  for (let i = 0; i < ids.length; i += 1_000) {
    await b.store.transaction(async (tx) => {
      for (const personId of ids.slice(i, i + 1_000)) {
        await tx.insertScore({
          tenantId: b.tenantId,
          personId,
          objectType: 'contact',
          modelVersion: null,
          policyVersion: null,
          inputsHash: 'bench',
          probability: 0.42,
          score: 42,
          fitScore: 40,
          engagementScore: 44,
          tier: 'B',
          route: 'sdr',
          confidence: 'medium',
          reasons: [
            { direction: 'positive', text: 'Job title: director' },
            { direction: 'negative', text: 'Few page views' },
          ],
          decision: { source: 'rules', modelVersion: 'bench' },
          writeBack: 'pending',
          scoredAt: now,
        });
      }
    });
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export const fmt = (v: number, digits = 0): string =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
