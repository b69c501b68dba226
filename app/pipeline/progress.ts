import type { EpochMs } from '../../connectors/index.ts';
import type { Store } from '../kit/store/index.ts';

/**
 * Pipeline milestones and counters per tenant, for the status endpoint. Kept as JSON in sync-cursor
 * rows, one stream per job type, so each row has one writer and updates never race across job types.
 */
export interface BackfillProgress {
  startedAt: EpochMs | null;
  doneAt: EpochMs | null;
  /** Persons created in the store by backfill and incremental sync. */
  synced: number;
}

export interface ScoringProgress {
  /** The first full scoring run that finished after the backfill. */
  scoredAfterBackfillAt: EpochMs | null;
  /** Persons scored by the latest full run. */
  scored: number;
}

export interface WritingProgress {
  /** The first write-back that left nothing pending after the post-backfill scoring. */
  liveAt: EpochMs | null;
  /** Scores written to the CRM so far. */
  written: number;
  /** Why the last write-back stopped with scores pending (e.g. `quota_exhausted`); null once one finishes. */
  stoppedBy: string | null;
  /** When the stopped write-back runs again (the allocation's reset). */
  resumeAt: EpochMs | null;
}

interface Streams {
  'pipeline:backfill': BackfillProgress;
  'pipeline:scoring': ScoringProgress;
  'pipeline:writing': WritingProgress;
}

const EMPTY: Streams = {
  'pipeline:backfill': { startedAt: null, doneAt: null, synced: 0 },
  'pipeline:scoring': { scoredAfterBackfillAt: null, scored: 0 },
  'pipeline:writing': { liveAt: null, written: 0, stoppedBy: null, resumeAt: null },
};

export async function readProgress<K extends keyof Streams>(
  store: Pick<Store, 'getSyncCursor'>,
  tenantId: string,
  stream: K,
): Promise<Streams[K]> {
  const row = await store.getSyncCursor(tenantId, stream);
  if (row === undefined) return { ...EMPTY[stream] };
  return { ...EMPTY[stream], ...(JSON.parse(row.cursor) as Partial<Streams[K]>) };
}

/** Read-modify-write; call inside the transaction that does the work it reports. */
export async function updateProgress<K extends keyof Streams>(
  store: Pick<Store, 'getSyncCursor' | 'setSyncCursor'>,
  tenantId: string,
  stream: K,
  now: EpochMs,
  change: (current: Streams[K]) => Streams[K],
): Promise<void> {
  const next = change(await readProgress(store, tenantId, stream));
  await store.setSyncCursor({ tenantId, stream, cursor: JSON.stringify(next), updatedAt: now });
}
