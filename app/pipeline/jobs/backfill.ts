import type { Connector, Page } from '../../../connectors/index.ts';
import type { JobHandler } from '../../kit/jobs/index.ts';
import {
  ingestCompanies,
  ingestConsent,
  ingestEvents,
  ingestOutcomes,
  ingestPeople,
  type IngestContext,
} from '../ingest.ts';
import { updateProgress } from '../progress.ts';
import { backfillCheckpoint, STREAMS, type BackfillCheckpoint, type Stream } from './checkpoints.ts';
import { backfillPayload } from './payloads.ts';
import {
  INCREMENTAL_EVENTS_STREAM,
  INCREMENTAL_SKEW_MARGIN_MS,
  INCREMENTAL_STREAM,
  next,
  tenantOf,
  type PipelineDeps,
} from './shared.ts';

function list(connector: Connector, stream: Stream, cursor: string | undefined): Promise<Page<unknown>> {
  switch (stream) {
    case 'companies':
      return connector.listCompanies(cursor);
    case 'people':
      return connector.listPeople(cursor);
    case 'events':
      return connector.listEvents(cursor);
    case 'outcomes':
      return connector.listOutcomes(cursor);
    case 'consent':
      return connector.listConsent(cursor);
  }
}

/** Writes one page; returns how many persons it created. */
async function ingest(ctx: IngestContext, stream: Stream, items: readonly unknown[]): Promise<number> {
  switch (stream) {
    case 'companies':
      await ingestCompanies(ctx, items);
      return 0;
    case 'people':
      return (await ingestPeople(ctx, items)).created;
    case 'events':
      await ingestEvents(ctx, items);
      return 0;
    case 'outcomes':
      await ingestOutcomes(ctx, items);
      return 0;
    case 'consent':
      await ingestConsent(ctx, items);
      return 0;
  }
}

/**
 * Reads every stream of the CRM page by page (a checkpoint after each), then queues the retrain.
 * At its start it sets the incremental cursors to now, less a margin for clock skew.
 */
export function backfillJob(deps: PipelineDeps): JobHandler {
  const { store, clock } = deps;
  return async (ctx) => {
    backfillPayload.parse(ctx.job.payload);
    const { tenant, settings } = await tenantOf(deps, ctx);
    const connector = await deps.connectorFor(tenant);
    let cp: BackfillCheckpoint = backfillCheckpoint.is(ctx.checkpoint)
      ? ctx.checkpoint
      : { stream: 0, cursor: null, synced: 0 };
    if (cp.stream === 0 && cp.cursor === null) {
      await store.transaction(async (tx) => {
        await updateProgress(tx, tenant.id, 'pipeline:backfill', clock(), (p) => ({
          ...p,
          startedAt: p.startedAt ?? clock(),
        }));
        // The backfill reads everything as of now, so incremental sync starts here, not at 0:
        // otherwise the first webhook after install re-reads and rescores the whole portal (and
        // runs into HubSpot's 10,000-result search cap). The margin covers clock skew with the CRM.
        for (const stream of [INCREMENTAL_STREAM, INCREMENTAL_EVENTS_STREAM]) {
          if ((await tx.getSyncCursor(tenant.id, stream)) === undefined) {
            await tx.setSyncCursor({
              tenantId: tenant.id,
              stream,
              cursor: String(clock() - INCREMENTAL_SKEW_MARGIN_MS),
              updatedAt: clock(),
            });
          }
        }
      });
    }
    while (cp.stream < STREAMS.length) {
      if (ctx.signal.aborted) return 'interrupted';
      const stream = STREAMS[cp.stream] as Stream;
      const page = await list(connector, stream, cp.cursor ?? undefined);
      const done = page.next === undefined;
      const following: BackfillCheckpoint = done
        ? { stream: cp.stream + 1, cursor: null, synced: cp.synced }
        : { stream: cp.stream, cursor: page.next ?? null, synced: cp.synced };
      await ctx.saveCheckpoint(following, async (tx) => {
        const created = await ingest(
          { store: tx, tenantId: tenant.id, mode: 'backfill', now: clock(), fields: settings.fields },
          stream,
          page.items,
        );
        following.synced += created;
        if (created > 0) {
          await updateProgress(tx, tenant.id, 'pipeline:backfill', clock(), (p) => ({
            ...p,
            synced: p.synced + created,
          }));
        }
        if (following.stream === STREAMS.length) {
          await updateProgress(tx, tenant.id, 'pipeline:backfill', clock(), (p) => ({
            ...p,
            doneAt: clock(),
          }));
          await next(deps, tx, ctx, 'retrain', { afterBackfill: true });
        }
      });
      cp = following;
    }
    return 'done';
  };
}
