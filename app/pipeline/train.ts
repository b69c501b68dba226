import { createHash } from 'node:crypto';
import type { EpochMs } from '../../connectors/index.ts';
import { trainModel, type LeadInput, type ModelArtifact } from '../../scoring/index.ts';
import { appendAudit } from '../kit/audit/index.ts';
import type { JsonObject, Store } from '../kit/store/index.ts';
import { CompanyReader, personAsOf, profilingAllowedAt, type AsOfStore } from './as-of.ts';
import { CRM_FEATURE_SPEC, type CrmFieldMap } from './feature-spec.ts';
import type { OutcomeDefinition } from './outcome.ts';
import { PERSON_OBJECT_TYPES, readPerson } from './records.ts';
import { eventLoopTurns } from './yield.ts';

/**
 * Training from the feature store (design §4–§6). Each person is judged at their decision time
 * t = createdAt + decisionDelay: features are read as of t (nothing recorded later), the label is a
 * qualifying outcome in (t, t + horizon]. Persons whose window has not closed yet, who converted
 * before t, or who gave no lawful basis for profiling at t are left out (and counted, not dropped silently).
 */

const DAY_MS = 86_400_000;

export interface TrainingRow {
  personId: string;
  decisionAt: EpochMs;
  lead: LeadInput;
  label: 0 | 1;
}

export interface TrainingSet {
  rows: TrainingRow[];
  positives: number;
  excluded: { immature: number; convertedBefore: number; noConsent: number; unknownAtDecision: number };
}

export async function buildTrainingSet(
  store: AsOfStore & Pick<Store, 'getOutcomes'>,
  tenantId: string,
  now: EpochMs,
  outcome: OutcomeDefinition,
  fields: CrmFieldMap,
): Promise<TrainingSet> {
  const horizon = outcome.horizonDays * DAY_MS;
  const counting = new Set(outcome.types);
  // Outcomes as known now: labels may lie after t (that is the point), features may not.
  const conversions = new Map<string, EpochMs[]>();
  for (const o of await store.getOutcomes(tenantId, {}, now)) {
    if (!counting.has(o.type)) continue;
    const list = conversions.get(o.personId) ?? [];
    list.push(o.occurredAt);
    conversions.set(o.personId, list);
  }
  const set: TrainingSet = {
    rows: [],
    positives: 0,
    excluded: { immature: 0, convertedBefore: 0, noConsent: 0, unknownAtDecision: 0 },
  };
  const companies = new CompanyReader(store, tenantId);
  const turn = eventLoopTurns();
  for (const objectType of PERSON_OBJECT_TYPES) {
    // Today's records only tell us who exists and when they were created; features come from as-of reads.
    for (const current of await store.trainingSnapshot(tenantId, objectType, now)) {
      await turn();
      const createdAt = readPerson(current).createdAt;
      const t = createdAt + outcome.decisionDelayDays * DAY_MS;
      if (t + horizon > now) {
        set.excluded.immature++;
        continue;
      }
      const times = conversions.get(current.crmId) ?? [];
      if (times.some((at) => at <= t)) {
        set.excluded.convertedBefore++;
        continue;
      }
      // Training is processing done now: a person who objects today is left out, whatever held at t.
      if (!(await profilingAllowedAt(store, tenantId, current.crmId, now))) {
        set.excluded.noConsent++;
        continue;
      }
      const known = await personAsOf(store, tenantId, objectType, current.crmId, t, fields, companies);
      if (known === undefined) {
        set.excluded.unknownAtDecision++;
        continue;
      }
      const label = times.some((at) => at > t && at <= t + horizon) ? 1 : 0;
      set.rows.push({ personId: current.crmId, decisionAt: t, lead: known.lead, label });
      set.positives += label;
    }
  }
  return set;
}

export interface TrainingThresholds {
  minLeads: number;
  minConversions: number;
}

export const DEFAULT_TRAINING_THRESHOLDS: TrainingThresholds = { minLeads: 200, minConversions: 40 };

export type TrainResult =
  | { trained: false; reason: string; set: TrainingSet }
  | { trained: true; version: string; promoted: boolean; artifact: ModelArtifact; set: TrainingSet };

export interface TrainDeps {
  store: Store;
  tenantId: string;
  now: EpochMs;
  outcome: OutcomeDefinition;
  fields: CrmFieldMap;
  thresholds?: TrainingThresholds;
  /** Audit actor, e.g. 'worker:<id>'; training and promotion are governance events (design §6). */
  actor: string;
}

function dataHash(set: TrainingSet): string {
  const hash = createHash('sha256');
  // Attribute order is fixed by toLeadInput and events come sorted, so plain JSON is stable here.
  for (const row of set.rows)
    hash.update(JSON.stringify([row.personId, row.decisionAt, row.label, row.lead]));
  return hash.digest('hex');
}

async function audit(deps: TrainDeps, action: string, subject: string, details: JsonObject): Promise<void> {
  await appendAudit(
    deps.store,
    { tenantId: deps.tenantId, actor: deps.actor, action, subject, details },
    deps.now,
  );
}

/** Trains a candidate when the tenant has enough history; the first model becomes champion. */
export async function trainIfReady(deps: TrainDeps): Promise<TrainResult> {
  const { store, tenantId, now, outcome } = deps;
  const thresholds = deps.thresholds ?? DEFAULT_TRAINING_THRESHOLDS;
  const set = await buildTrainingSet(store, tenantId, now, outcome, deps.fields);
  if (set.rows.length < thresholds.minLeads || set.positives < thresholds.minConversions) {
    return {
      trained: false,
      reason: `not enough history: ${set.rows.length} leads (need ${thresholds.minLeads}) and ${set.positives} conversions (need ${thresholds.minConversions}); the fallback rules score meanwhile`,
      set,
    };
  }
  const hash = dataHash(set);
  const version = `m-${new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${hash.slice(0, 8)}`;
  const decisionTimes = set.rows.map((r) => r.decisionAt);
  const artifact = trainModel(
    set.rows.map((r) => r.lead),
    set.rows.map((r) => r.label),
    CRM_FEATURE_SPEC,
    {
      version,
      createdAt: new Date(now).toISOString(),
      dataHash: hash,
      label: `${outcome.types.join('|')} within ${outcome.horizonDays} days of createdAt + ${outcome.decisionDelayDays} days`,
      window: {
        from: new Date(Math.min(...decisionTimes)).toISOString(),
        to: new Date(Math.max(...decisionTimes)).toISOString(),
      },
    },
  );
  await store.saveModel(
    { tenantId, version, artifact: artifact as unknown as JsonObject, state: 'candidate' },
    now,
  );
  const metrics = artifact.metrics.crossValidated;
  await audit(deps, 'model.train', `model:${version}`, {
    rows: set.rows.length,
    positives: set.positives,
    excluded: set.excluded,
    auc: metrics.auc,
    logLoss: metrics.log_loss,
    ece: metrics.ece,
    dataHash: hash,
  });
  // Later candidates wait for an admin's approval (design §6); only a tenant without a champion gets one now.
  let promoted = false;
  if ((await store.getChampion(tenantId)) === undefined) {
    await store.setModelState(tenantId, version, 'champion', now);
    await audit(deps, 'model.promote', `model:${version}`, {
      reason: 'first model for the tenant: no champion to compare against',
      auc: metrics.auc,
    });
    promoted = true;
  }
  return { trained: true, version, promoted, artifact, set };
}
