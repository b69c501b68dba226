// The job handlers' folder door: one file per job type, registered through buildRuntime's `handlers`.
import type { JobHandler } from '../../kit/jobs/index.ts';
import { CLEAR_JOB } from '../clear.ts';
import { backfillJob } from './backfill.ts';
import { clearScoresJob } from './clear-scores.ts';
import { incrementalJob } from './incremental.ts';
import { rescoreJob } from './rescore.ts';
import { retrainJob } from './retrain.ts';
import type { PipelineDeps, PipelineJobType } from './shared.ts';
import { writeBackJob } from './write-back.ts';

export {
  defaultSettings,
  INCREMENTAL_EVENTS_STREAM,
  INCREMENTAL_SKEW_MARGIN_MS,
  INCREMENTAL_STREAM,
  JOB_TYPES,
} from './shared.ts';
export type { PipelineDeps, PipelineJobType, TenantPipelineSettings } from './shared.ts';
export { TARGETED_BATCH } from './targeted.ts';

/**
 * The pipeline's job handlers. Each step hands the next one a job, enqueued in the same transaction
 * as its last checkpoint (with an idempotency key derived from its own job id), so a crash never
 * loses or doubles the chain: backfill → retrain → rescore → write-back; incremental → rescore (of
 * the changed) → write-back; rescore → clear-scores (of withdrawn consent). A payload or checkpoint
 * that fails its schema (payloads.ts, checkpoints.ts) fails its job for good, with the reason.
 */
export function createPipelineHandlers(deps: PipelineDeps): Record<PipelineJobType, JobHandler> {
  return {
    backfill: backfillJob(deps),
    incremental: incrementalJob(deps),
    retrain: retrainJob(deps),
    rescore: rescoreJob(deps),
    'write-back': writeBackJob(deps),
    [CLEAR_JOB]: clearScoresJob(deps),
  };
}
