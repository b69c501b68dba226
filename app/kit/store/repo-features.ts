import type { Ctx } from './context.ts';
import { count, lockKey } from './context.ts';
import { canonicalJson, parseJsonObject } from './json.ts';
import type { EventsTable, RecordVersionsTable } from './schema.ts';
import type {
  AppendEventsResult,
  ConsentRecord,
  EngagementEvent,
  JsonObject,
  LawfulBasis,
  NewEngagementEvent,
  NewOutcome,
  Outcome,
  OutcomeQuery,
  PersonSnapshot,
  RecordVersion,
  UpsertRecordResult,
} from './types.ts';
import { EVENT_TYPES, StoreError } from './types.ts';
import { requireId, requireObject, requireOneOf, requireText, requireTime, storedOneOf } from './validate.ts';

const LAWFUL_BASES: readonly LawfulBasis[] = [
  'consent',
  'legitimate_interest',
  'contract',
  'legal_obligation',
  'vital_interest',
  'public_task',
  'none',
];

// Rows per multi-row INSERT: 7 columns × 200 stays far below SQLite's 32 766 and PG's 65 535 bind limits.
const INSERT_CHUNK = 200;

function toVersion(r: RecordVersionsTable): RecordVersion {
  return {
    tenantId: r.tenant_id,
    objectType: r.object_type,
    crmId: r.crm_id,
    properties: parseJsonObject(r.properties, 'record properties'),
    validFrom: r.valid_from,
    validTo: r.valid_to,
  };
}

function toEvent(r: EventsTable): EngagementEvent {
  return {
    tenantId: r.tenant_id,
    personId: r.person_id,
    type: storedOneOf('events.type', r.type, EVENT_TYPES),
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    attributes: parseJsonObject(r.attributes, 'event attributes'),
    sourceId: r.source_id,
  };
}

/** Must run inside a transaction: reads the open version, then closes it and opens the next. */
export async function upsertRecord(
  ctx: Ctx,
  tenantId: string,
  objectType: string,
  crmId: string,
  properties: JsonObject,
  observedAt: number,
): Promise<UpsertRecordResult> {
  requireId('tenantId', tenantId);
  requireId('objectType', objectType);
  requireId('crmId', crmId);
  requireTime('observedAt', observedAt);
  const text = canonicalJson(requireObject('properties', properties));
  // Two writers of the same record must not both close the same open version.
  await lockKey(ctx, `record:${tenantId}:${objectType}:${crmId}`);

  const current = await ctx.db
    .selectFrom('record_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('object_type', '=', objectType)
    .where('crm_id', '=', crmId)
    .where('valid_to', 'is', null)
    .executeTakeFirst();

  const fresh: RecordVersionsTable = {
    tenant_id: tenantId,
    object_type: objectType,
    crm_id: crmId,
    valid_from: observedAt,
    valid_to: null,
    properties: text,
  };
  if (current === undefined) {
    await ctx.db.insertInto('record_versions').values(fresh).execute();
    return { status: 'created', current: toVersion(fresh) };
  }
  // History is never rewritten: an observation older than what we hold would change what was "known" then.
  if (observedAt < current.valid_from) return { status: 'stale', current: toVersion(current) };
  if (current.properties === text) return { status: 'unchanged', current: toVersion(current) };

  if (observedAt === current.valid_from) {
    // Two observations in the same millisecond: the later write wins; a zero-length version would be noise.
    await ctx.db
      .updateTable('record_versions')
      .set({ properties: text })
      .where('tenant_id', '=', tenantId)
      .where('object_type', '=', objectType)
      .where('crm_id', '=', crmId)
      .where('valid_from', '=', current.valid_from)
      .execute();
    return { status: 'changed', current: toVersion(fresh) };
  }
  await ctx.db
    .updateTable('record_versions')
    .set({ valid_to: observedAt })
    .where('tenant_id', '=', tenantId)
    .where('object_type', '=', objectType)
    .where('crm_id', '=', crmId)
    .where('valid_from', '=', current.valid_from)
    .execute();
  await ctx.db.insertInto('record_versions').values(fresh).execute();
  return { status: 'changed', current: toVersion(fresh) };
}

export async function getRecordAsOf(
  ctx: Ctx,
  tenantId: string,
  objectType: string,
  crmId: string,
  t: number,
): Promise<RecordVersion | undefined> {
  const r = await ctx.db
    .selectFrom('record_versions')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('object_type', '=', requireId('objectType', objectType))
    .where('crm_id', '=', requireId('crmId', crmId))
    .where('valid_from', '<=', requireTime('t', t))
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', t)]))
    .executeTakeFirst();
  return r && toVersion(r);
}

function eventRow(tenantId: string, e: NewEngagementEvent, recordedAt: number, i: number): EventsTable {
  const at = `events[${i}]`;
  const occurredAt = requireTime(`${at}.occurredAt`, e.occurredAt);
  const known = e.recordedAt === undefined ? recordedAt : requireTime(`${at}.recordedAt`, e.recordedAt);
  // A fact cannot be known before it happened; allowing it would let a future event leak into the past.
  if (known < occurredAt) {
    throw new StoreError(
      'invalid_input',
      `${at}: recordedAt (${known}) is before occurredAt (${occurredAt})`,
    );
  }
  return {
    tenant_id: tenantId,
    source_id: requireId(`${at}.sourceId`, e.sourceId),
    person_id: requireId(`${at}.personId`, e.personId),
    type: requireOneOf(`${at}.type`, e.type, EVENT_TYPES),
    occurred_at: occurredAt,
    recorded_at: known,
    attributes: canonicalJson(requireObject(`${at}.attributes`, e.attributes)),
  };
}

export async function appendEvents(
  ctx: Ctx,
  tenantId: string,
  events: readonly NewEngagementEvent[],
  recordedAt: number,
): Promise<AppendEventsResult> {
  requireId('tenantId', tenantId);
  requireTime('recordedAt', recordedAt);
  // Validate everything before writing anything: a bad event fails the whole call, not half of it.
  const rows = events.map((e, i) => eventRow(tenantId, e, recordedAt, i));
  let inserted = 0;
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const res = await ctx.db
      .insertInto('events')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(['tenant_id', 'source_id']).doNothing())
      .executeTakeFirst();
    inserted += count(res.numInsertedOrUpdatedRows);
  }
  return { inserted, duplicates: rows.length - inserted };
}

export async function getEventsAsOf(
  ctx: Ctx,
  tenantId: string,
  personId: string,
  t: number,
): Promise<EngagementEvent[]> {
  const rows = await ctx.db
    .selectFrom('events')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('person_id', '=', requireId('personId', personId))
    .where('occurred_at', '<=', requireTime('t', t))
    .where('recorded_at', '<=', t)
    .orderBy('occurred_at')
    .orderBy('source_id')
    .execute();
  return rows.map(toEvent);
}

export async function trainingSnapshot(
  ctx: Ctx,
  tenantId: string,
  objectType: string,
  cutoff: number,
): Promise<PersonSnapshot[]> {
  requireId('tenantId', tenantId);
  requireId('objectType', objectType);
  requireTime('cutoff', cutoff);
  const validAtCutoff = ctx.db
    .selectFrom('record_versions')
    .where('tenant_id', '=', tenantId)
    .where('object_type', '=', objectType)
    .where('valid_from', '<=', cutoff)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', cutoff)]));

  const versions = await validAtCutoff.selectAll().orderBy('crm_id').execute();
  const events = await ctx.db
    .selectFrom('events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('occurred_at', '<=', cutoff)
    .where('recorded_at', '<=', cutoff)
    .where('person_id', 'in', validAtCutoff.select('crm_id'))
    .orderBy('person_id')
    .orderBy('occurred_at')
    .orderBy('source_id')
    .execute();

  const byPerson = new Map<string, EngagementEvent[]>();
  for (const r of events) {
    const list = byPerson.get(r.person_id) ?? [];
    list.push(toEvent(r));
    byPerson.set(r.person_id, list);
  }
  return versions.map((v) => ({
    crmId: v.crm_id,
    properties: parseJsonObject(v.properties, 'record properties'),
    asOfVersion: v.valid_from,
    events: byPerson.get(v.crm_id) ?? [],
  }));
}

export async function recordOutcome(
  ctx: Ctx,
  tenantId: string,
  outcome: NewOutcome,
  recordedAt: number,
): Promise<boolean> {
  const occurredAt = requireTime('outcome.occurredAt', outcome.occurredAt);
  const known =
    outcome.recordedAt === undefined
      ? requireTime('recordedAt', recordedAt)
      : requireTime('outcome.recordedAt', outcome.recordedAt);
  if (known < occurredAt) {
    throw new StoreError(
      'invalid_input',
      `outcome recordedAt (${known}) is before occurredAt (${occurredAt})`,
    );
  }
  const res = await ctx.db
    .insertInto('outcomes')
    .values({
      tenant_id: requireId('tenantId', tenantId),
      person_id: requireId('outcome.personId', outcome.personId),
      type: requireId('outcome.type', outcome.type),
      occurred_at: occurredAt,
      recorded_at: known,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'person_id', 'type', 'occurred_at']).doNothing())
    .executeTakeFirst();
  return count(res.numInsertedOrUpdatedRows) === 1;
}

export async function getOutcomes(
  ctx: Ctx,
  tenantId: string,
  query: OutcomeQuery,
  knownAt: number,
): Promise<Outcome[]> {
  let q = ctx.db
    .selectFrom('outcomes')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('recorded_at', '<=', requireTime('knownAt', knownAt));
  if (query.personId !== undefined) q = q.where('person_id', '=', requireId('personId', query.personId));
  if (query.occurredFrom !== undefined)
    q = q.where('occurred_at', '>=', requireTime('occurredFrom', query.occurredFrom));
  if (query.occurredTo !== undefined)
    q = q.where('occurred_at', '<', requireTime('occurredTo', query.occurredTo));
  const rows = await q.orderBy('occurred_at').orderBy('person_id').orderBy('type').execute();
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    personId: r.person_id,
    type: r.type,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
  }));
}

export async function recordConsent(ctx: Ctx, c: ConsentRecord): Promise<void> {
  if (typeof c.optedOut !== 'boolean')
    throw new StoreError('invalid_input', 'consent.optedOut must be a boolean');
  const row = {
    tenant_id: requireId('tenantId', c.tenantId),
    person_id: requireId('consent.personId', c.personId),
    recorded_at: requireTime('consent.recordedAt', c.recordedAt),
    lawful_basis: requireOneOf('consent.lawfulBasis', c.lawfulBasis, LAWFUL_BASES),
    opted_out: c.optedOut ? 1 : 0,
    source: requireText('consent.source', c.source),
  };
  await ctx.db
    .insertInto('consent')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'person_id', 'recorded_at'])
        .doUpdateSet({ lawful_basis: row.lawful_basis, opted_out: row.opted_out, source: row.source }),
    )
    .execute();
}

export async function getConsentAsOf(
  ctx: Ctx,
  tenantId: string,
  personId: string,
  t: number,
): Promise<ConsentRecord | undefined> {
  const r = await ctx.db
    .selectFrom('consent')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('person_id', '=', requireId('personId', personId))
    .where('recorded_at', '<=', requireTime('t', t))
    .orderBy('recorded_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return (
    r && {
      tenantId: r.tenant_id,
      personId: r.person_id,
      lawfulBasis: storedOneOf('consent.lawful_basis', r.lawful_basis, LAWFUL_BASES),
      optedOut: r.opted_out === 1,
      recordedAt: r.recorded_at,
      source: r.source,
    }
  );
}

/** Must run inside a transaction so a privacy deletion is all-or-nothing. */
export async function deletePerson(ctx: Ctx, tenantId: string, personId: string): Promise<number> {
  requireId('tenantId', tenantId);
  requireId('personId', personId);
  const tables = ['events', 'outcomes', 'consent', 'scores'] as const;
  let removed = count(
    (
      await ctx.db
        .deleteFrom('record_versions')
        .where('tenant_id', '=', tenantId)
        .where('crm_id', '=', personId)
        .executeTakeFirst()
    ).numDeletedRows,
  );
  for (const table of tables) {
    const res = await ctx.db
      .deleteFrom(table)
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .executeTakeFirst();
    removed += count(res.numDeletedRows);
  }
  return removed;
}
