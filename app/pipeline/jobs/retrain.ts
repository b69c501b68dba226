import type { JobHandler } from '../../kit/jobs/index.ts';
import { trainIfReady } from '../train.ts';
import { retrainPayload } from './payloads.ts';
import { actorOf, next, tenantOf, type PipelineDeps } from './shared.ts';

/** Trains a model when there are enough outcomes (train.ts), then queues a full rescore. */
export function retrainJob(deps: PipelineDeps): JobHandler {
  const { store, clock } = deps;
  return async (ctx) => {
    const payload = retrainPayload.parse(ctx.job.payload);
    const { tenant, settings } = await tenantOf(deps, ctx);
    const result = await trainIfReady({
      store,
      tenantId: tenant.id,
      now: clock(),
      outcome: settings.outcome,
      fields: settings.fields,
      thresholds: settings.thresholds,
      actor: actorOf(deps),
    });
    const afterBackfill = payload.afterBackfill === true;
    await ctx.saveCheckpoint({ trained: result.trained }, async (tx) => {
      await next(deps, tx, ctx, 'rescore', { afterBackfill });
    });
    return 'done';
  };
}
