import type { Connector, CrmKind, EpochMs } from '../../../connectors/index.ts';
import type { JobContext } from '../../kit/jobs/index.ts';
import { PermanentJobError } from '../../kit/jobs/index.ts';
import type { JsonValue, Store, Tenant } from '../../kit/store/index.ts';
import { CLEAR_JOB } from '../clear.ts';
import { CRM_FIELDS, type CrmFieldMap } from '../feature-spec.ts';
import { DEFAULT_OUTCOMES, type OutcomeDefinition } from '../outcome.ts';
import { DEFAULT_TRAINING_THRESHOLDS, type TrainingThresholds } from '../train.ts';
import type { Sleep } from '../write-back.ts';

/** What the job handlers share: their types, the incremental sync cursors, tenant lookup, the chain. */

export const JOB_TYPES = ['backfill', 'incremental', 'retrain', 'rescore', 'write-back', CLEAR_JOB] as const;

export type PipelineJobType = (typeof JOB_TYPES)[number];

/** Sync-cursor stream holding the `since` of the next incremental sweep (epoch ms, CRM time). */
export const INCREMENTAL_STREAM = 'pipeline:incremental';
/**
 * Sync-cursor stream holding the `since` of the next incremental events read (epoch ms, CRM time): the
 * incremental job reads new engagement after the people pages, each with its own cursor.
 */
export const INCREMENTAL_EVENTS_STREAM = 'pipeline:incremental:events';
/** How far before the backfill's start the first incremental sweep looks, for clock skew. */
export const INCREMENTAL_SKEW_MARGIN_MS = 5 * 60_000;

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

/** The audit actor of pipeline decisions. */
export const actorOf = (deps: PipelineDeps): string => deps.actor ?? 'system:pipeline';

/** The job's tenant, which must exist and be active (a job of an uninstalled tenant fails for good). */
export async function tenantOf(
  deps: PipelineDeps,
  ctx: JobContext,
): Promise<{ tenant: Tenant; settings: TenantPipelineSettings }> {
  const tenant = await deps.store.getTenant(ctx.job.tenantId);
  if (tenant === undefined) throw new PermanentJobError(`tenant ${ctx.job.tenantId} does not exist`);
  if (tenant.status !== 'active') throw new PermanentJobError(`tenant ${tenant.id} is ${tenant.status}`);
  const settings =
    deps.settingsFor === undefined ? defaultSettings(tenant.crm) : await deps.settingsFor(tenant);
  return { tenant, settings };
}

/**
 * Queues the next step of the chain in the step's last transaction, keyed by this job's id, so a
 * crash never loses or doubles it.
 */
export const next = (
  deps: PipelineDeps,
  tx: Store,
  ctx: JobContext,
  type: PipelineJobType,
  payload: JsonValue = {},
) =>
  tx.enqueueJob(
    { tenantId: ctx.job.tenantId, type, payload, idempotencyKey: `${type}:after:${ctx.job.id}` },
    deps.clock(),
  );
