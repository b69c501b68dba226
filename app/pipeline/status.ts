import type { EpochMs } from '../../connectors/index.ts';
import type { Store, Tenant } from '../kit/store/index.ts';
import { readProgress } from './progress.ts';

/** What GET /api/v1/status says about one tenant (issue 4, item 9). */
export type PipelinePhase = 'installing' | 'backfilling' | 'scoring' | 'writing' | 'live' | 'stopped';

export interface TenantStatus {
  crm: Tenant['crm'];
  externalId: string;
  phase: PipelinePhase;
  synced: number;
  scored: number;
  written: number;
  deadLetters: number;
  championModel: string | null;
  /** Set while write-back waits for the CRM's API allocation to reset: why, and when it resumes. */
  writeStopped: { reason: string; resumeAt: EpochMs | null } | null;
}

export type StatusStore = Pick<
  Store,
  'getSyncCursor' | 'getChampion' | 'listScoresByWriteBack' | 'listDeadLetters'
>;

/** Counting dead letters stops here; the admin list pages through the rest. */
const DEAD_LETTER_COUNT_LIMIT = 10_000;

export async function tenantStatus(store: StatusStore, tenant: Tenant): Promise<TenantStatus> {
  const backfill = await readProgress(store, tenant.id, 'pipeline:backfill');
  const scoring = await readProgress(store, tenant.id, 'pipeline:scoring');
  const writing = await readProgress(store, tenant.id, 'pipeline:writing');
  let phase: PipelinePhase;
  if (tenant.status !== 'active') phase = 'stopped';
  else if (backfill.startedAt === null) phase = 'installing';
  else if (backfill.doneAt === null) phase = 'backfilling';
  else if (scoring.scoredAfterBackfillAt === null) phase = 'scoring';
  else if (writing.liveAt === null) phase = 'writing';
  else phase = 'live';
  // Both kinds: a score that kept failing to write, and a job that kept failing.
  const failedWrites = await store.listScoresByWriteBack(tenant.id, 'failed', DEAD_LETTER_COUNT_LIMIT);
  const deadJobs = (await store.listDeadLetters(tenant.id)).filter((d) => d.replayedAt === null);
  const champion = await store.getChampion(tenant.id);
  return {
    crm: tenant.crm,
    externalId: tenant.externalId,
    phase,
    synced: backfill.synced,
    scored: scoring.scored,
    written: writing.written,
    deadLetters: failedWrites.length + deadJobs.length,
    championModel: champion?.version ?? null,
    writeStopped:
      writing.stoppedBy === null ? null : { reason: writing.stoppedBy, resumeAt: writing.resumeAt },
  };
}
