import { randomUUID } from 'node:crypto';
import type { Ctx } from './context.ts';
import { conflict, isUniqueViolation, lockKey } from './context.ts';
import { canonicalJson, parseJson, parseJsonObject } from './json.ts';
import type { ModelsTable, PoliciesTable, ScoresTable } from './schema.ts';
import type {
  Confidence,
  JsonObject,
  ModelRecord,
  ModelState,
  NewModel,
  NewScore,
  PolicyRecord,
  Route,
  ScoreRecord,
  Tier,
  WriteBackState,
} from './types.ts';
import { StoreError } from './types.ts';
import {
  requireId,
  requireNumberIn,
  requireObject,
  requireOneOf,
  requirePositiveInt,
  requireText,
  requireTime,
  storedOneOf,
} from './validate.ts';

const MODEL_STATES: readonly ModelState[] = ['candidate', 'shadow', 'champion', 'retired'];
const TIERS: readonly Tier[] = ['A', 'B', 'C', 'D'];
const ROUTES: readonly Route[] = ['ae', 'sdr', 'nurture', 'review'];
const CONFIDENCES: readonly Confidence[] = ['high', 'medium', 'low'];
const WRITE_BACK: readonly WriteBackState[] = ['pending', 'written', 'skipped', 'failed', 'shadow'];

/* models */

function toModel(r: ModelsTable): ModelRecord {
  return {
    tenantId: r.tenant_id,
    version: r.version,
    state: storedOneOf('models.state', r.state, MODEL_STATES),
    artifact: parseJsonObject(r.artifact, 'model artifact'),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

async function retireChampion(ctx: Ctx, tenantId: string, now: number): Promise<void> {
  await ctx.db
    .updateTable('models')
    .set({ state: 'retired', updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('state', '=', 'champion')
    .execute();
}

/** Must run inside a transaction (a new champion retires the old one atomically). */
export async function saveModel(ctx: Ctx, m: NewModel, now: number): Promise<ModelRecord> {
  const row: ModelsTable = {
    tenant_id: requireId('tenantId', m.tenantId),
    version: requireId('model.version', m.version),
    state: requireOneOf('model.state', m.state ?? 'candidate', MODEL_STATES),
    artifact: canonicalJson(requireObject('model.artifact', m.artifact)),
    created_at: requireTime('now', now),
    updated_at: now,
  };
  await lockKey(ctx, `models:${row.tenant_id}`);
  if (row.state === 'champion') await retireChampion(ctx, row.tenant_id, now);
  try {
    await ctx.db.insertInto('models').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(`model ${row.version} already exists for tenant ${row.tenant_id}`, err);
    throw err;
  }
  return toModel(row);
}

export async function getModel(
  ctx: Ctx,
  tenantId: string,
  version: string,
): Promise<ModelRecord | undefined> {
  const r = await ctx.db
    .selectFrom('models')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('version', '=', requireId('version', version))
    .executeTakeFirst();
  return r && toModel(r);
}

export async function listModels(ctx: Ctx, tenantId: string): Promise<ModelRecord[]> {
  const rows = await ctx.db
    .selectFrom('models')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .orderBy('created_at')
    .orderBy('version')
    .execute();
  return rows.map(toModel);
}

export async function getChampion(ctx: Ctx, tenantId: string): Promise<ModelRecord | undefined> {
  const r = await ctx.db
    .selectFrom('models')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('state', '=', 'champion')
    .executeTakeFirst();
  return r && toModel(r);
}

/** Must run inside a transaction. */
export async function setModelState(
  ctx: Ctx,
  tenantId: string,
  version: string,
  state: ModelState,
  now: number,
): Promise<void> {
  requireId('tenantId', tenantId);
  requireId('version', version);
  requireOneOf('state', state, MODEL_STATES);
  requireTime('now', now);
  await lockKey(ctx, `models:${tenantId}`);
  const existing = await getModel(ctx, tenantId, version);
  if (existing === undefined)
    throw new StoreError('not_found', `model ${version} not found for tenant ${tenantId}`);
  if (state === 'champion' && existing.state !== 'champion') await retireChampion(ctx, tenantId, now);
  await ctx.db
    .updateTable('models')
    .set({ state, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('version', '=', version)
    .execute();
}

/* policies */

function toPolicy(r: PoliciesTable): PolicyRecord {
  return {
    tenantId: r.tenant_id,
    version: r.version,
    document: parseJsonObject(r.document, 'policy document'),
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/** Must run inside a transaction (next version = max + 1 under the tenant's policy lock). */
export async function savePolicy(
  ctx: Ctx,
  tenantId: string,
  document: JsonObject,
  createdBy: string,
  now: number,
): Promise<PolicyRecord> {
  requireId('tenantId', tenantId);
  const row: Omit<PoliciesTable, 'version'> = {
    tenant_id: tenantId,
    document: canonicalJson(requireObject('policy', document)),
    created_by: requireId('createdBy', createdBy),
    created_at: requireTime('now', now),
  };
  await lockKey(ctx, `policies:${tenantId}`);
  const top = await ctx.db
    .selectFrom('policies')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  const full: PoliciesTable = { ...row, version: (top?.v ?? 0) + 1 };
  await ctx.db.insertInto('policies').values(full).execute();
  return toPolicy(full);
}

export async function getPolicy(
  ctx: Ctx,
  tenantId: string,
  version?: number,
): Promise<PolicyRecord | undefined> {
  let q = ctx.db.selectFrom('policies').selectAll().where('tenant_id', '=', requireId('tenantId', tenantId));
  q =
    version === undefined
      ? q.orderBy('version', 'desc').limit(1)
      : q.where('version', '=', requirePositiveInt('version', version));
  const r = await q.executeTakeFirst();
  return r && toPolicy(r);
}

export async function listPolicies(ctx: Ctx, tenantId: string): Promise<PolicyRecord[]> {
  const rows = await ctx.db
    .selectFrom('policies')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .orderBy('version')
    .execute();
  return rows.map(toPolicy);
}

/* scores */

function nullableNumber(field: string, v: number | null, min: number, max: number): number | null {
  return v === null ? null : requireNumberIn(field, v, min, max);
}

function toScore(r: ScoresTable): ScoreRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    personId: r.person_id,
    objectType: r.object_type,
    modelVersion: r.model_version,
    policyVersion: r.policy_version,
    inputsHash: r.inputs_hash,
    probability: r.probability,
    score: r.score,
    fitScore: r.fit_score,
    engagementScore: r.engagement_score,
    tier: storedOneOf('scores.tier', r.tier, TIERS),
    route: storedOneOf('scores.route', r.route, ROUTES),
    confidence: storedOneOf('scores.confidence', r.confidence, CONFIDENCES),
    reasons: parseJson(r.reasons, 'score reasons'),
    decision: parseJsonObject(r.decision, 'score decision'),
    writeBack: storedOneOf('scores.write_back', r.write_back, WRITE_BACK),
    writeBackError: r.write_back_error,
    writeBackAt: r.write_back_at,
    scoredAt: r.scored_at,
  };
}

export async function insertScore(ctx: Ctx, s: NewScore): Promise<ScoreRecord> {
  const row: ScoresTable = {
    tenant_id: requireId('tenantId', s.tenantId),
    id: randomUUID(),
    person_id: requireId('score.personId', s.personId),
    object_type: requireId('score.objectType', s.objectType),
    model_version: s.modelVersion === null ? null : requireId('score.modelVersion', s.modelVersion),
    policy_version:
      s.policyVersion === null ? null : requirePositiveInt('score.policyVersion', s.policyVersion),
    inputs_hash: requireId('score.inputsHash', s.inputsHash),
    probability: requireNumberIn('score.probability', s.probability, 0, 1),
    score: requireNumberIn('score.score', s.score, 0, 100),
    fit_score: nullableNumber('score.fitScore', s.fitScore, 0, 100),
    engagement_score: nullableNumber('score.engagementScore', s.engagementScore, 0, 100),
    tier: requireOneOf('score.tier', s.tier, TIERS),
    route: requireOneOf('score.route', s.route, ROUTES),
    confidence: requireOneOf('score.confidence', s.confidence, CONFIDENCES),
    reasons: canonicalJson(s.reasons),
    decision: canonicalJson(requireObject('score.decision', s.decision)),
    write_back: requireOneOf('score.writeBack', s.writeBack, WRITE_BACK),
    write_back_error: null,
    write_back_at: null,
    scored_at: requireTime('score.scoredAt', s.scoredAt),
  };
  await ctx.db.insertInto('scores').values(row).execute();
  return toScore(row);
}

export async function listScores(
  ctx: Ctx,
  tenantId: string,
  personId: string,
  limit: number,
): Promise<ScoreRecord[]> {
  const rows = await ctx.db
    .selectFrom('scores')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('person_id', '=', requireId('personId', personId))
    .orderBy('scored_at', 'desc')
    .orderBy('id', 'desc')
    .limit(requirePositiveInt('limit', limit))
    .execute();
  return rows.map(toScore);
}

export async function listScoresByWriteBack(
  ctx: Ctx,
  tenantId: string,
  state: WriteBackState,
  limit: number,
): Promise<ScoreRecord[]> {
  const rows = await ctx.db
    .selectFrom('scores')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('write_back', '=', requireOneOf('state', state, WRITE_BACK))
    .orderBy('scored_at')
    .orderBy('id')
    .limit(requirePositiveInt('limit', limit))
    .execute();
  return rows.map(toScore);
}

export async function setWriteBackState(
  ctx: Ctx,
  tenantId: string,
  scoreId: string,
  state: WriteBackState,
  at: number,
  error?: string,
): Promise<void> {
  const res = await ctx.db
    .updateTable('scores')
    .set({
      write_back: requireOneOf('state', state, WRITE_BACK),
      write_back_at: requireTime('at', at),
      write_back_error: error === undefined ? null : requireText('error', error),
    })
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('id', '=', requireId('scoreId', scoreId))
    .executeTakeFirst();
  if (res.numUpdatedRows === 0n) throw new StoreError('not_found', `score ${scoreId} not found`);
}
