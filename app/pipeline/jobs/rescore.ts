import type { JobHandler } from '../../kit/jobs/index.ts';
import { updateProgress } from '../progress.ts';
import { scoreTenant } from '../score.ts';
import { rescorePayload } from './payloads.ts';
import { actorOf, next, tenantOf, type PipelineDeps } from './shared.ts';

/**
 * Scores everyone, or the people the payload names (what an incremental read changed), and queues
 * the write-back of the scores that moved.
 */
export function rescoreJob(deps: PipelineDeps): JobHandler {
  const { store, clock } = deps;
  return async (ctx) => {
    const { personIds, afterBackfill = false } = rescorePayload.parse(ctx.job.payload);
    const { tenant, settings } = await tenantOf(deps, ctx);
    const summary = await scoreTenant({
      store,
      tenantId: tenant.id,
      now: clock(),
      fields: settings.fields,
      actor: actorOf(deps),
      ...(personIds === undefined ? {} : { personIds }),
    });
    await ctx.saveCheckpoint({ runId: summary.runId, pending: summary.pending }, async (tx) => {
      if (personIds === undefined) {
        await updateProgress(tx, tenant.id, 'pipeline:scoring', clock(), (p) => ({
          scored: summary.scored,
          scoredAfterBackfillAt: p.scoredAfterBackfillAt ?? (afterBackfill ? clock() : null),
        }));
      }
      // A full run always hands over (so the status can turn live); a partial one only with work to do.
      if (summary.pending > 0 || personIds === undefined) await next(deps, tx, ctx, 'write-back');
    });
    return 'done';
  };
}
