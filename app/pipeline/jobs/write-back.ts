import { ConnectorError } from '../../../connectors/index.ts';
import type { JobHandler } from '../../kit/jobs/index.ts';
import { updateProgress } from '../progress.ts';
import { writeBackPending } from '../write-back.ts';
import { writeBackPayload } from './payloads.ts';
import { tenantOf, type PipelineDeps } from './shared.ts';

const DAY_MS = 86_400_000;

/**
 * Writes the pending scores to the CRM (write-back.ts); a spent API allocation waits for its reset
 * as one scheduled job. The first finished write-back after the backfill's scoring turns the tenant live.
 */
export function writeBackJob(deps: PipelineDeps): JobHandler {
  const { store, clock } = deps;
  return async (ctx) => {
    // `replay` only says who queued it: a replay's scores are already back to pending.
    writeBackPayload.parse(ctx.job.payload);
    const { tenant } = await tenantOf(deps, ctx);
    const connector = await deps.connectorFor(tenant);
    let summary: Awaited<ReturnType<typeof writeBackPending>>;
    try {
      summary = await writeBackPending({
        store,
        tenantId: tenant.id,
        connector,
        clock,
        sleep: deps.sleep,
        signal: ctx.signal,
      });
    } catch (error) {
      if (!(error instanceof ConnectorError && error.code === 'quota_exhausted')) throw error;
      // The allocation is spent: retrying within the day only burns job attempts. The pending scores
      // stay pending; one write-back waits for the reset (Salesforce's daily allocation; the emulator
      // and our ApiBudget reset at the UTC day boundary) and the status says why.
      const resumeAt = Math.floor(clock() / DAY_MS) * DAY_MS + DAY_MS;
      await ctx.saveCheckpoint({ stoppedBy: 'quota_exhausted' }, async (tx) => {
        await updateProgress(tx, tenant.id, 'pipeline:writing', clock(), (p) => ({
          ...p,
          stoppedBy: 'quota_exhausted',
          resumeAt,
        }));
        await tx.enqueueJob(
          {
            tenantId: tenant.id,
            type: 'write-back',
            payload: {},
            idempotencyKey: `write-back:quota:${resumeAt}`,
            runAt: resumeAt,
          },
          clock(),
        );
      });
      return 'done';
    }
    const finished = !summary.interrupted;
    await ctx.saveCheckpoint({ written: summary.written, dead: summary.deadLettered }, async (tx) => {
      const scoring = await tx.getSyncCursor(tenant.id, 'pipeline:scoring');
      const scoredAfterBackfill =
        scoring !== undefined &&
        (JSON.parse(scoring.cursor) as { scoredAfterBackfillAt?: unknown }).scoredAfterBackfillAt != null;
      await updateProgress(tx, tenant.id, 'pipeline:writing', clock(), (p) => ({
        ...p,
        written: p.written + summary.written,
        liveAt: p.liveAt ?? (finished && scoredAfterBackfill ? clock() : null),
        stoppedBy: finished ? null : p.stoppedBy,
        resumeAt: finished ? null : p.resumeAt,
      }));
    });
    return finished ? 'done' : 'interrupted';
  };
}
