import type { ScoreRecord, Store } from '../app/kit/store/index.ts';

/** Far above any demo's size; the store answers at most this many written scores in one call. */
const RESTORE_LIMIT = 1_000_000;

/**
 * What a resumed demo puts back on the regenerated CRM records: per person, the newest score the CRM
 * accepted. The emulators keep state in memory, while the store still holds these as written (and
 * write-back only sends changes, so it would never send them again).
 */
export async function newestWrittenScores(
  store: Pick<Store, 'listScoresByWriteBack'>,
  tenantId: string,
): Promise<ScoreRecord[]> {
  const newest = new Map<string, ScoreRecord>();
  for (const s of await store.listScoresByWriteBack(tenantId, 'written', RESTORE_LIMIT)) {
    const seen = newest.get(s.personId);
    if (seen === undefined || s.scoredAt > seen.scoredAt) newest.set(s.personId, s);
  }
  return [...newest.values()];
}
