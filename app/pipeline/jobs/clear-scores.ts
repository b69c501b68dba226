import type { JobHandler } from '../../kit/jobs/index.ts';
import { clearWithdrawn } from '../clear.ts';
import { clearScoresPayload } from './payloads.ts';
import { actorOf, tenantOf, type PipelineDeps } from './shared.ts';

/** Empties the leadgate fields of persons who withdrew consent (clear.ts), queued by the score step. */
export function clearScoresJob(deps: PipelineDeps): JobHandler {
  const { store, clock } = deps;
  return async (ctx) => {
    const { people } = clearScoresPayload.parse(ctx.job.payload);
    const { tenant } = await tenantOf(deps, ctx);
    const connector = await deps.connectorFor(tenant);
    const summary = await clearWithdrawn(
      {
        store,
        tenantId: tenant.id,
        connector,
        clock,
        actor: actorOf(deps),
        runId: ctx.job.id,
        rescore: async (tx, personIds) => {
          await tx.enqueueJob(
            {
              tenantId: tenant.id,
              type: 'rescore',
              payload: { personIds: [...personIds] },
              idempotencyKey: `rescore:after:${ctx.job.id}`,
            },
            clock(),
          );
        },
      },
      people.map(({ personId, objectType }) => ({ personId, objectType })),
    );
    await ctx.saveCheckpoint({ ...summary });
    return 'done';
  };
}
