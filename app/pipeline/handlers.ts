import {
  ConnectorError,
  type CanonicalPerson,
  type Connector,
  type CrmKind,
  type EpochMs,
  type Page,
} from '../../connectors/index.ts';
import type { JobContext, JobHandler } from '../kit/jobs/index.ts';
import { PermanentJobError } from '../kit/jobs/index.ts';
import type { JsonValue, Store, Tenant } from '../kit/store/index.ts';
import { CRM_FIELDS, type CrmFieldMap } from './feature-spec.ts';
import {
  ingestCompanies,
  ingestConsent,
  ingestEvents,
  ingestOutcomes,
  ingestPeople,
  type IngestContext,
} from './ingest.ts';
import { CLEAR_JOB, clearWithdrawn, isClearItems } from './clear.ts';
import { DEFAULT_OUTCOMES, type OutcomeDefinition } from './outcome.ts';
import { updateProgress } from './progress.ts';
import { scoreTenant } from './score.ts';
import { DEFAULT_TRAINING_THRESHOLDS, trainIfReady, type TrainingThresholds } from './train.ts';
import { writeBackPending, type Sleep } from './write-back.ts';

/**
 * The pipeline's job handlers, registered through buildRuntime's `handlers` option. Each step hands
 * the next one a job, enqueued in the same transaction as its last checkpoint (with an idempotency
 * key derived from its own job id), so a crash never loses or doubles the chain:
 * backfill → retrain → rescore → write-back; incremental → rescore (of the changed) → write-back.
 */

const DAY_MS = 86_400_000;

export const JOB_TYPES = ['backfill', 'incremental', 'retrain', 'rescore', 'write-back', CLEAR_JOB] as const;

/** Sync-cursor stream holding the `since` of the next incremental sweep (epoch ms, CRM time). */
export const INCREMENTAL_STREAM = 'pipeline:incremental';
/**
 * Sync-cursor stream holding the `since` of the next incremental events read (epoch ms, CRM time): the
 * incremental job reads new engagement after the people pages, each with its own cursor.
 */
export const INCREMENTAL_EVENTS_STREAM = 'pipeline:incremental:events';
/** How far before the backfill's start the first incremental sweep looks, for clock skew. */
export const INCREMENTAL_SKEW_MARGIN_MS = 5 * 60_000;

export type PipelineJobType = (typeof JOB_TYPES)[number];

export interface TenantPipelineSettings {
  fields: CrmFieldMap;
  outcome: OutcomeDefinition;
  thresholds: TrainingThresholds;
}

export function defaultSettings(crm: CrmKind): TenantPipelineSettings {
  return { fields: CRM_FIELDS[crm], outcome: DEFAULT_OUTCOMES[crm], thresholds: DEFAULT_TRAINING_THRESHOLDS };
}

export interface PipelineDeps {
  store: Store;
  /** The tenant's connector (tokens, budget); the install work provides real ones. */
  connectorFor: (tenant: Tenant) => Connector | Promise<Connector>;
  clock: () => EpochMs;
  sleep: Sleep;
  /** Per-tenant configuration; defaults by CRM when absent. */
  settingsFor?: (tenant: Tenant) => TenantPipelineSettings | Promise<TenantPipelineSettings>;
  /** Audit actor for pipeline decisions. */
  actor?: string;
}

const STREAMS = ['companies', 'people', 'events', 'outcomes', 'consent'] as const;
type Stream = (typeof STREAMS)[number];

interface BackfillCheckpoint {
  stream: number;
  cursor: string | null;
  synced: number;
  [key: string]: JsonValue;
}

function isBackfillCheckpoint(value: JsonValue | null): value is BackfillCheckpoint {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof value.stream === 'number' &&
    (value.cursor === null || typeof value.cursor === 'string') &&
    typeof value.synced === 'number'
  );
}

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

/** A job the HubSpot webhook route queued (`{ source: 'webhook', personIds }`). */
function isWebhookPayload(payload: JsonValue): boolean {
  return (
    typeof payload === 'object' && payload !== null && !Array.isArray(payload) && payload.source === 'webhook'
  );
}

/** Where an incremental job stands: the people pages, then the events pages (`part: 'events'`). */
// A type alias, not an interface: it is a JsonValue as a checkpoint must be.
type IncrementalCheckpoint = {
  part?: 'events';
  since: number;
  cursor: string | null;
  maxSeen: number;
  page: number;
};

/** A connector that can fetch named people (Salesforce: one `WHERE Id IN` query per 200 ids). */
interface PeopleByIds {
  listPeopleByIds(ids: readonly string[]): Promise<CanonicalPerson[]>;
}

const canFetchByIds = (c: Connector): c is Connector & PeopleByIds =>
  typeof (c as Partial<PeopleByIds>).listPeopleByIds === 'function';

/** Ids fetched per step of a targeted incremental job (one checkpoint each). */
export const TARGETED_BATCH = 200;

/** CRM record ids only ([0-9A-Za-z]); a payload with anything else is refused, not queried. */
function payloadRecordIds(payload: JsonValue): string[] | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const ids = payload.recordIds;
  // Jobs queued before targeted fetches named any entity's ids (Accounts, Tasks): those sweep.
  if (
    ids === undefined ||
    (payload.entity !== undefined && payload.entity !== 'Lead' && payload.entity !== 'Contact')
  )
    return undefined;
  if (
    !Array.isArray(ids) ||
    !ids.every((x): x is string => typeof x === 'string' && /^[0-9A-Za-z]{15,18}$/.test(x))
  ) {
    throw new PermanentJobError('incremental payload.recordIds must be an array of CRM record ids');
  }
  return ids;
}

function payloadPersonIds(payload: JsonValue): string[] | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const ids = payload.personIds;
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids) || !ids.every((x): x is string => typeof x === 'string')) {
    throw new PermanentJobError('rescore payload.personIds must be an array of strings');
  }
  return ids;
}

export function createPipelineHandlers(deps: PipelineDeps): Record<PipelineJobType, JobHandler> {
  const { store, clock } = deps;
  const actor = deps.actor ?? 'system:pipeline';

  async function tenantOf(ctx: JobContext): Promise<{ tenant: Tenant; settings: TenantPipelineSettings }> {
    const tenant = await store.getTenant(ctx.job.tenantId);
    if (tenant === undefined) throw new PermanentJobError(`tenant ${ctx.job.tenantId} does not exist`);
    if (tenant.status !== 'active') throw new PermanentJobError(`tenant ${tenant.id} is ${tenant.status}`);
    const settings =
      deps.settingsFor === undefined ? defaultSettings(tenant.crm) : await deps.settingsFor(tenant);
    return { tenant, settings };
  }

  const next = (tx: Store, ctx: JobContext, type: PipelineJobType, payload: JsonValue = {}) =>
    tx.enqueueJob(
      { tenantId: ctx.job.tenantId, type, payload, idempotencyKey: `${type}:after:${ctx.job.id}` },
      clock(),
    );

  const backfill: JobHandler = async (ctx) => {
    const { tenant, settings } = await tenantOf(ctx);
    const connector = await deps.connectorFor(tenant);
    let cp: BackfillCheckpoint = isBackfillCheckpoint(ctx.checkpoint)
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
          await next(tx, ctx, 'retrain', { afterBackfill: true });
        }
      });
      cp = following;
    }
    return 'done';
  };

  /**
   * A change event named these records: fetch exactly them (sorted, so each step's ids are mostly of
   * one object), ingest and rescore them. The sweep's cursor is left alone: reading a few named
   * records says nothing about what else changed, so the next sweep still starts where it was.
   */
  const targeted = async (
    ctx: JobContext,
    tenant: Tenant,
    settings: TenantPipelineSettings,
    connector: Connector & PeopleByIds,
    recordIds: readonly string[],
  ): Promise<'done' | 'interrupted'> => {
    const ids = [...new Set(recordIds)].sort();
    const cp = ctx.checkpoint as { offset?: unknown } | null;
    let offset = typeof cp?.offset === 'number' ? cp.offset : 0;
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
  };

  const incremental: JobHandler = async (ctx) => {
    const { tenant, settings } = await tenantOf(ctx);
    const connector = await deps.connectorFor(tenant);
    const recordIds = payloadRecordIds(ctx.job.payload);
    if (recordIds !== undefined && canFetchByIds(connector)) {
      return targeted(ctx, tenant, settings, connector, recordIds);
    }
    const saved = await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM);
    const peopleSince = saved === undefined ? 0 : Number(saved.cursor);
    // A HubSpot webhook names contacts whose properties changed: it needs the people pages only. The
    // events part costs 3 searches (5/s per portal) and 4 Events API calls, and a burst of webhooks
    // queued behind each other's searches took webhook → written score from 0.8 s to 13 s (bench).
    // New engagement comes with the next sweep (LEADGATE_SYNC_INTERVAL_MS) or a change event.
    const readsEvents = !isWebhookPayload(ctx.job.payload);
    // Checkpoints of jobs queued before the events part have no `part`: they are in the people part.
    const state: IncrementalCheckpoint = (ctx.checkpoint as IncrementalCheckpoint | null) ?? {
      since: peopleSince,
      cursor: null,
      maxSeen: 0,
      page: 0,
    };
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

  const retrain: JobHandler = async (ctx) => {
    const { tenant, settings } = await tenantOf(ctx);
    const result = await trainIfReady({
      store,
      tenantId: tenant.id,
      now: clock(),
      outcome: settings.outcome,
      fields: settings.fields,
      thresholds: settings.thresholds,
      actor,
    });
    const afterBackfill =
      typeof ctx.job.payload === 'object' &&
      ctx.job.payload !== null &&
      !Array.isArray(ctx.job.payload) &&
      ctx.job.payload.afterBackfill === true;
    await ctx.saveCheckpoint({ trained: result.trained }, async (tx) => {
      await next(tx, ctx, 'rescore', { afterBackfill });
    });
    return 'done';
  };

  const rescore: JobHandler = async (ctx) => {
    const { tenant, settings } = await tenantOf(ctx);
    const personIds = payloadPersonIds(ctx.job.payload);
    const payload = ctx.job.payload;
    const afterBackfill =
      typeof payload === 'object' &&
      payload !== null &&
      !Array.isArray(payload) &&
      payload.afterBackfill === true;
    const summary = await scoreTenant({
      store,
      tenantId: tenant.id,
      now: clock(),
      fields: settings.fields,
      actor,
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
      if (summary.pending > 0 || personIds === undefined) await next(tx, ctx, 'write-back');
    });
    return 'done';
  };

  const writeBack: JobHandler = async (ctx) => {
    const { tenant } = await tenantOf(ctx);
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

  /** Empties the leadgate fields of persons who withdrew consent (clear.ts), queued by the score step. */
  const clearScores: JobHandler = async (ctx) => {
    const { tenant } = await tenantOf(ctx);
    const payload = ctx.job.payload;
    const people =
      typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload.people : undefined;
    if (!isClearItems(people)) {
      throw new PermanentJobError(`${CLEAR_JOB} payload.people must be [{ personId, objectType }]`);
    }
    const connector = await deps.connectorFor(tenant);
    const summary = await clearWithdrawn(
      {
        store,
        tenantId: tenant.id,
        connector,
        clock,
        actor,
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
      people,
    );
    await ctx.saveCheckpoint({ ...summary });
    return 'done';
  };

  return { backfill, incremental, retrain, rescore, 'write-back': writeBack, [CLEAR_JOB]: clearScores };
}
