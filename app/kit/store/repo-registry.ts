import { randomUUID } from 'node:crypto';
import type { Ctx } from './context.ts';
import { conflict, count, isUniqueViolation, lockKey } from './context.ts';
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
  WriteBackClaim,
  WriteBackClaimOptions,
  WriteBackState,
  WriteBackTransition,
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
    write_claim: null,
    write_claim_until: null,
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

function requireIds(field: string, ids: readonly string[]): string[] {
  return ids.map((id, i) => requireId(`${field}[${i}]`, id));
}

export async function transitionWriteBack(
  ctx: Ctx,
  tenantId: string,
  scoreId: string,
  change: WriteBackTransition,
): Promise<boolean> {
  const from = change.from.map((st, i) => requireOneOf(`from[${i}]`, st, WRITE_BACK));
  if (from.length === 0) throw new StoreError('invalid_input', 'from: at least one state');
  const claim = change.claim === undefined ? undefined : requireId('claim', change.claim);
  let q = ctx.db
    .updateTable('scores')
    .set({
      write_back: requireOneOf('to', change.to, WRITE_BACK),
      write_back_at: requireTime('at', change.at),
      write_back_error: change.error === undefined ? null : requireText('error', change.error),
      // The claim ends with the result it guarded.
      ...(claim === undefined ? {} : { write_claim: null, write_claim_until: null }),
    })
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('id', '=', requireId('scoreId', scoreId))
    .where('write_back', 'in', from);
  if (claim !== undefined) q = q.where('write_claim', '=', claim);
  const res = await q.executeTakeFirst();
  return count(res.numUpdatedRows) === 1;
}

/**
 * Candidates read per query while claiming: twice the claim, so the superseded and held rows met on the
 * way rarely need a second read, and a claim of 100 reads 200 rows, not the whole pending list.
 */
const claimScan = (limit: number): number => Math.min(1_000, Math.max(50, 2 * limit));

/** Must run inside a transaction (claims of one tenant serialise on its write-back lock). */
export async function claimWriteBack(
  ctx: Ctx,
  tenantId: string,
  options: WriteBackClaimOptions,
): Promise<WriteBackClaim> {
  requireId('tenantId', tenantId);
  const token = requireId('token', options.token);
  const now = requireTime('now', options.now);
  const until = requireTime('until', options.until);
  const limit = requirePositiveInt('limit', options.limit);
  if (until <= now) throw new StoreError('invalid_input', 'until: must be later than now');
  // PostgreSQL: two claimers would each see the other's persons unclaimed (read committed); the lock
  // makes the second wait and then see the first one's claims. SQLite: BEGIN IMMEDIATE already did.
  await lockKey(ctx, `write-back:${tenantId}`);
  const result: WriteBackClaim = { claimed: [], superseded: 0, held: 0 };
  const chosen: string[] = [];
  const chosenPersons = new Set<string>();
  const pageSize = claimScan(limit);
  let after: { scoredAt: number; id: string } | undefined;
  scan: for (;;) {
    let q = ctx.db
      .selectFrom('scores')
      .select(['id', 'person_id', 'scored_at'])
      .where('tenant_id', '=', tenantId)
      .where('write_back', '=', 'pending')
      .where((eb) => eb.or([eb('write_claim_until', 'is', null), eb('write_claim_until', '<=', now)]));
    if (after !== undefined) {
      const a = after;
      q = q.where((eb) =>
        eb.or([
          eb('scored_at', '>', a.scoredAt),
          eb.and([eb('scored_at', '=', a.scoredAt), eb('id', '>', a.id)]),
        ]),
      );
    }
    const page = await q.orderBy('scored_at').orderBy('id').limit(pageSize).execute();
    const last = page.at(-1);
    if (last === undefined) break;
    after = { scoredAt: last.scored_at, id: last.id };
    const ids = page.map((r) => r.id);
    const persons = [...new Set(page.map((r) => r.person_id))];
    // A newer score of the same person, in listScores' order (scored_at, then id): this one is stale.
    const stale = await ctx.db
      .selectFrom('scores as s')
      .select('s.id')
      .where('s.tenant_id', '=', tenantId)
      .where('s.id', 'in', ids)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('scores as n')
            .select('n.id')
            .whereRef('n.tenant_id', '=', 's.tenant_id')
            .whereRef('n.person_id', '=', 's.person_id')
            .where((e) =>
              e.or([
                e('n.scored_at', '>', e.ref('s.scored_at')),
                e.and([e('n.scored_at', '=', e.ref('s.scored_at')), e('n.id', '>', e.ref('s.id'))]),
              ]),
            ),
        ),
      )
      .execute();
    const staleIds = new Set(stale.map((r) => r.id));
    // Persons with a write in flight: a live claim on any of their rows, superseded ones included.
    const busy = await ctx.db
      .selectFrom('scores')
      .select('person_id')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .where('person_id', 'in', persons)
      .where('write_claim_until', '>', now)
      .execute();
    const heldPersons = new Set(busy.map((r) => r.person_id));
    for (const row of page) {
      if (staleIds.has(row.id)) {
        const res = await ctx.db
          .updateTable('scores')
          .set({ write_back: 'skipped', write_back_at: now, write_back_error: 'superseded by a newer score' })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', row.id)
          .where('write_back', '=', 'pending')
          .executeTakeFirst();
        result.superseded += count(res.numUpdatedRows);
      } else if (heldPersons.has(row.person_id) || chosenPersons.has(row.person_id)) {
        result.held++;
      } else {
        chosen.push(row.id);
        chosenPersons.add(row.person_id);
        if (chosen.length >= limit) break scan;
      }
    }
    if (page.length < pageSize) break;
  }
  if (chosen.length === 0) return result;
  // Still pending and unclaimed: on PostgreSQL a scoring transaction (which does not take this lock)
  // may have superseded a row since it was read; the update re-checks it on the row itself.
  await ctx.db
    .updateTable('scores')
    .set({ write_claim: token, write_claim_until: until })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', chosen)
    .where('write_back', '=', 'pending')
    .where((eb) => eb.or([eb('write_claim_until', 'is', null), eb('write_claim_until', '<=', now)]))
    .execute();
  const rows = await ctx.db
    .selectFrom('scores')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', chosen)
    .where('write_claim', '=', token)
    .where('write_claim_until', '=', until)
    .orderBy('scored_at')
    .orderBy('id')
    .execute();
  result.claimed = rows.map(toScore);
  return result;
}

export async function renewWriteBackClaims(
  ctx: Ctx,
  tenantId: string,
  token: string,
  scoreIds: readonly string[],
  now: number,
  until: number,
): Promise<string[]> {
  requireId('tenantId', tenantId);
  requireId('token', token);
  requireTime('now', now);
  requireTime('until', until);
  if (until <= now) throw new StoreError('invalid_input', 'until: must be later than now');
  const ids = requireIds('scoreIds', scoreIds);
  if (ids.length === 0) return [];
  await ctx.db
    .updateTable('scores')
    .set({ write_claim_until: until })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('write_claim', '=', token)
    .where('write_back', '=', 'pending')
    .where('write_claim_until', '>', now)
    .execute();
  const rows = await ctx.db
    .selectFrom('scores')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('write_claim', '=', token)
    .where('write_claim_until', '=', until)
    .where('write_back', '=', 'pending')
    .execute();
  const renewed = new Set(rows.map((r) => r.id));
  return ids.filter((id) => renewed.has(id));
}

export async function releaseWriteBackClaims(
  ctx: Ctx,
  tenantId: string,
  token: string,
  scoreIds: readonly string[],
): Promise<void> {
  requireId('tenantId', tenantId);
  requireId('token', token);
  const ids = requireIds('scoreIds', scoreIds);
  if (ids.length === 0) return;
  await ctx.db
    .updateTable('scores')
    .set({ write_claim: null, write_claim_until: null })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('write_claim', '=', token)
    .execute();
}
