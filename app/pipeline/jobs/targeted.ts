import type { CanonicalPerson, Connector } from '../../../connectors/index.ts';
import type { JobContext } from '../../kit/jobs/index.ts';
import type { Tenant } from '../../kit/store/index.ts';
import { ingestPeople } from '../ingest.ts';
import { updateProgress } from '../progress.ts';
import { targetedCheckpoint } from './checkpoints.ts';
import type { PipelineDeps, TenantPipelineSettings } from './shared.ts';

/**
 * A connector that can fetch named people (Salesforce: one `WHERE Id IN` query per 200 ids; HubSpot:
 * one contacts batch read per 100 ids and their company links).
 */
export interface PeopleByIds {
  listPeopleByIds(ids: readonly string[]): Promise<CanonicalPerson[]>;
}

export const canFetchByIds = (c: Connector): c is Connector & PeopleByIds =>
  typeof (c as Partial<PeopleByIds>).listPeopleByIds === 'function';

/** Ids fetched per step of a targeted incremental job (one checkpoint each). */
export const TARGETED_BATCH = 200;

/**
 * The incremental job of a webhook or change event that named these records: fetch exactly them
 * (sorted, so each step's Salesforce ids are mostly of one object), ingest and rescore them. Events
 * are not read, and the sweep's cursors are left alone: reading a few named records says nothing
 * about what else changed, so the next sweep still starts where it was.
 */
export async function targetedIncremental(
  deps: PipelineDeps,
  ctx: JobContext,
  tenant: Tenant,
  settings: TenantPipelineSettings,
  connector: Connector & PeopleByIds,
  recordIds: readonly string[],
): Promise<'done' | 'interrupted'> {
  const { clock } = deps;
  const ids = [...new Set(recordIds)].sort();
  let offset = targetedCheckpoint.is(ctx.checkpoint) ? ctx.checkpoint.offset : 0;
  while (offset < ids.length) {
    if (ctx.signal.aborted) return 'interrupted';
    const people = await connector.listPeopleByIds(ids.slice(offset, offset + TARGETED_BATCH));
    const after = { offset: offset + TARGETED_BATCH };
    await ctx.saveCheckpoint(after, async (tx) => {
      const counts = await ingestPeople(
        { store: tx, tenantId: tenant.id, mode: 'live', now: clock(), fields: settings.fields },
        people,
      );
      if (counts.created > 0) {
        await updateProgress(tx, tenant.id, 'pipeline:backfill', clock(), (p) => ({
          ...p,
          synced: p.synced + counts.created,
        }));
      }
      if (people.length > 0) {
        await tx.enqueueJob(
          {
            tenantId: tenant.id,
            type: 'rescore',
            payload: { personIds: people.map((p) => p.crmId) },
            idempotencyKey: `rescore:after:${ctx.job.id}:${after.offset}`,
          },
          clock(),
        );
      }
    });
    offset = after.offset;
  }
  return 'done';
}
