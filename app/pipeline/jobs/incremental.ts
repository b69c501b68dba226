import type { JobHandler } from '../../kit/jobs/index.ts';
import type { Store } from '../../kit/store/index.ts';
import { ingestEvents, ingestPeople, type IngestContext } from '../ingest.ts';
import { updateProgress } from '../progress.ts';
import { incrementalCheckpoint, type IncrementalCheckpoint } from './checkpoints.ts';
import { incrementalPayload, recordIdsOf } from './payloads.ts';
import { INCREMENTAL_EVENTS_STREAM, INCREMENTAL_STREAM, tenantOf, type PipelineDeps } from './shared.ts';
import { canFetchByIds, targetedIncremental } from './targeted.ts';

/**
 * People changed (a PeopleChanged payload): the records it names when the connector can fetch by id
 * (targeted.ts), otherwise the people changed since the sweep cursor, then (unless a webhook queued
 * it) the engagement since the events cursor; the changed are rescored page by page.
 */
export function incrementalJob(deps: PipelineDeps): JobHandler {
  const { store, clock } = deps;
  return async (ctx) => {
    const payload = incrementalPayload.parse(ctx.job.payload);
    const { tenant, settings } = await tenantOf(deps, ctx);
    const connector = await deps.connectorFor(tenant);
    const recordIds = recordIdsOf(payload);
    // Webhooks (HubSpot contact ids) and change events (Salesforce Lead/Contact ids) name their
    // records: reading just them costs one batch read per 100 HubSpot ids instead of searches at 5/s.
    if (recordIds !== undefined && canFetchByIds(connector)) {
      return targetedIncremental(deps, ctx, tenant, settings, connector, recordIds);
    }
    const saved = await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM);
    const peopleSince = saved === undefined ? 0 : Number(saved.cursor);
    // A webhook job here named no record it can fetch (queued before recordIds, or a connector
    // without a read by id): it names contacts whose properties changed and needs the people pages
    // only. The events part costs 3 searches (5/s per portal) and 4 Events API calls, and a burst of
    // webhooks queued behind each other's searches took webhook → written score from 0.8 s to 13 s
    // (bench). New engagement comes with the next sweep (LEADGATE_SYNC_INTERVAL_MS) or a change event.
    const readsEvents = payload.source !== 'webhook';
    const state: IncrementalCheckpoint =
      ctx.checkpoint === null
        ? { since: peopleSince, cursor: null, maxSeen: 0, page: 0 }
        : incrementalCheckpoint.parse(ctx.checkpoint);
    const ingestCtx = (tx: Store): IngestContext => ({
      store: tx,
      tenantId: tenant.id,
      mode: 'live',
      now: clock(),
      fields: settings.fields,
    });
    const rescoreChanged = (tx: Store, personIds: readonly string[], page: number) =>
      tx.enqueueJob(
        {
          tenantId: tenant.id,
          type: 'rescore',
          payload: { personIds: [...new Set(personIds)] },
          idempotencyKey: `rescore:after:${ctx.job.id}:${page}`,
        },
        clock(),
      );
    while (state.part !== 'events') {
      if (ctx.signal.aborted) return 'interrupted';
      const page = await connector.listPeopleChangedSince(state.since, state.cursor ?? undefined);
      const people = page.items;
      const maxSeen = people.reduce((m, p) => Math.max(m, p.updatedAt), state.maxSeen);
      const peopleDone = page.next === undefined;
      // The last people page hands over to the events part in the same checkpoint, from the events
      // stream's own cursor (the people one for a tenant backfilled before it existed).
      const eventsSince =
        peopleDone && readsEvents
          ? Number((await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor ?? state.since)
          : 0;
      const after: IncrementalCheckpoint =
        peopleDone && readsEvents
          ? { part: 'events', since: eventsSince, cursor: null, maxSeen: 0, page: state.page + 1 }
          : { since: state.since, cursor: page.next ?? null, maxSeen, page: state.page + 1 };
      await ctx.saveCheckpoint(after, async (tx) => {
        const counts = await ingestPeople(ingestCtx(tx), people);
        if (counts.created > 0) {
          await updateProgress(tx, tenant.id, 'pipeline:backfill', clock(), (p) => ({
            ...p,
            synced: p.synced + counts.created,
          }));
        }
        if (people.length > 0)
          await rescoreChanged(
            tx,
            people.map((p) => p.crmId),
            after.page,
          );
        // The next sweep starts at the newest change seen: "changed at or after since" re-reads that
        // millisecond, and re-ingesting is a no-op, so nothing between two sweeps is missed.
        if (peopleDone && maxSeen > 0) {
          await tx.setSyncCursor({
            tenantId: tenant.id,
            stream: INCREMENTAL_STREAM,
            cursor: String(maxSeen),
            updatedAt: clock(),
          });
        }
      });
      Object.assign(state, after);
      if (peopleDone && !readsEvents) return 'done';
    }
    // New engagement (page views, emails, meetings, calls, Salesforce activity) since the last read:
    // without it every event-window feature empties after install and scores decay.
    for (;;) {
      if (ctx.signal.aborted) return 'interrupted';
      const page = await connector.listEventsChangedSince(state.since, state.cursor ?? undefined);
      const maxSeen = Math.max(state.maxSeen, page.watermark ?? 0);
      const after: IncrementalCheckpoint = {
        part: 'events',
        since: state.since,
        cursor: page.next ?? null,
        maxSeen,
        page: state.page + 1,
      };
      await ctx.saveCheckpoint(after, async (tx) => {
        const { inserted } = await ingestEvents(ingestCtx(tx), page.items);
        // Only a page that added something changes a score; a re-read of the since millisecond does not.
        if (inserted > 0)
          await rescoreChanged(
            tx,
            page.items.map((e) => e.personId),
            after.page,
          );
        if (after.cursor === null && maxSeen > state.since) {
          await tx.setSyncCursor({
            tenantId: tenant.id,
            stream: INCREMENTAL_EVENTS_STREAM,
            cursor: String(maxSeen),
            updatedAt: clock(),
          });
        }
      });
      Object.assign(state, after);
      if (after.cursor === null) return 'done';
    }
  };
}
