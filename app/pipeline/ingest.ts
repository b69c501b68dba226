import type {
  CanonicalCompany,
  CanonicalConsent,
  CanonicalEvent,
  CanonicalOutcome,
  CanonicalPerson,
  EpochMs,
  PersonConsent,
} from '../../connectors/index.ts';
import type {
  ConsentRecord,
  LawfulBasis,
  NewEngagementEvent,
  Store,
  UpsertRecordStatus,
} from '../kit/store/index.ts';
import {
  checkCompanies,
  checkConsent,
  checkEvents,
  checkOutcomes,
  checkPeople,
  InvalidPageError,
} from './canonical-schema.ts';
import { storedProperties } from './feature-spec.ts';
import type { CrmFieldMap } from './feature-spec.ts';
import { COMPANY_OBJECT_TYPE, companyDocument, personDocument } from './records.ts';

/**
 * Writes connector pages into the point-in-time store, keeping of each person and company only the
 * properties the features read (storedProperties: no names, contact details or email address). Idempotent: the same page twice changes
 * nothing (record versions compare properties, events key on sourceId, outcomes on their identity,
 * consent on its time).
 *
 * `backfill` vs `live` decides when a fact counts as known. A backfill reads history the CRM already
 * held, so an event or outcome was knowable when it occurred (recordedAt = occurredAt), which is what
 * makes history usable for training. A live change is known from now on.
 */
export type IngestMode = 'backfill' | 'live';

export interface IngestContext {
  store: Pick<
    Store,
    'upsertRecord' | 'getRecordAsOf' | 'appendEvents' | 'recordOutcome' | 'recordConsent' | 'getConsentAsOf'
  >;
  tenantId: string;
  mode: IngestMode;
  /** Ingestion time (live facts are known from here). */
  now: EpochMs;
  fields: CrmFieldMap;
}

export type IngestCounts = Record<UpsertRecordStatus, number> & {
  /** Consent changes the people carried (ingestPeople): a new state recorded, withdrawn or granted. */
  consentChanged: number;
  /** Outcomes the people carried that were new to the store (ingestPeople). */
  outcomesRecorded: number;
};

const FAR_FUTURE = Date.UTC(9999, 0, 1);

function emptyCounts(): IngestCounts {
  return { created: 0, changed: 0, unchanged: 0, stale: 0, consentChanged: 0, outcomesRecorded: 0 };
}

function pick(properties: Readonly<Record<string, string | null>>, names: readonly string[]) {
  const out: Record<string, string | null> = {};
  for (const name of names) if (name in properties) out[name] = properties[name] ?? null;
  return out;
}

/**
 * The version a backfill writes at a record's creation time, the first time it sees the record.
 * A backfill only sees today's properties; training needs what was known at each person's decision
 * time, or nobody would exist then. We claim only the fit fields the feature spec reads (title,
 * email, source, country; firmographics), which rarely change after creation, and never lifecycle,
 * owner or any other property that moves with the outcome. The full record is versioned at updatedAt.
 */
function creationFields(fields: CrmFieldMap): { person: string[]; company: string[] } {
  const company = Object.values(fields.company).flat();
  return { person: [...Object.values(fields.person).flat(), ...company], company };
}

async function exists(ctx: IngestContext, objectType: string, crmId: string): Promise<boolean> {
  return (await ctx.store.getRecordAsOf(ctx.tenantId, objectType, crmId, FAR_FUTURE)) !== undefined;
}

export async function ingestPeople(ctx: IngestContext, page: readonly unknown[]): Promise<IngestCounts> {
  const people: CanonicalPerson[] = checkPeople(page);
  const counts = emptyCounts();
  const { person: seedFields } = creationFields(ctx.fields);
  // Map every person's consent first: a page with one unreadable basis is refused whole (as ingestConsent).
  const problems: string[] = [];
  const consents = people.map((p) => {
    if (p.consent === undefined) return undefined;
    const stated = statedConsent(p.consent);
    if (stated === null)
      problems.push(
        `person ${p.crmId}: profiling allowed but the lawful basis "${p.consent.basis ?? ''}" is not one we know`,
      );
    return stated ?? undefined;
  });
  for (const p of people)
    for (const o of p.outcomes ?? [])
      if (o.personId !== p.crmId) problems.push(`person ${p.crmId}: carries an outcome of ${o.personId}`);
  if (problems.length > 0) throw new InvalidPageError('people', problems);
  for (const [i, p] of people.entries()) {
    if (p.updatedAt < p.createdAt) {
      throw new InvalidPageError('people', [`person ${p.crmId}: updatedAt is before createdAt`]);
    }
    // A conversion is a fact with its own time: recorded whatever the record version did (a stale read
    // still states it), once by its identity (person, type, occurredAt), as the outcome stream does.
    if (p.outcomes !== undefined && p.outcomes.length > 0)
      counts.outcomesRecorded += (await ingestOutcomes(ctx, p.outcomes)).inserted;
    const consent = consents[i];
    // A stale read (older than the version we hold) says nothing about consent now either.
    const recordConsent = async (status: UpsertRecordStatus) => {
      if (consent !== undefined && status !== 'stale' && (await consentChange(ctx, p, consent)))
        counts.consentChanged++;
    };
    if (ctx.mode === 'backfill' && p.updatedAt > p.createdAt && !(await exists(ctx, p.objectType, p.crmId))) {
      const seed = personDocument(
        p,
        storedProperties(pick(p.properties, seedFields), ctx.fields),
        p.createdAt,
      );
      await ctx.store.upsertRecord(ctx.tenantId, p.objectType, p.crmId, seed, p.createdAt);
      const full = await ctx.store.upsertRecord(
        ctx.tenantId,
        p.objectType,
        p.crmId,
        personDocument(p, storedProperties(p.properties, ctx.fields), p.updatedAt),
        p.updatedAt,
      );
      // Seen for the first time: count it as created whatever the second version did.
      counts.created += full.status === 'stale' ? 0 : 1;
      if (full.status === 'stale') counts.stale++;
      await recordConsent(full.status);
      continue;
    }
    const result = await ctx.store.upsertRecord(
      ctx.tenantId,
      p.objectType,
      p.crmId,
      personDocument(p, storedProperties(p.properties, ctx.fields), p.updatedAt),
      p.updatedAt,
    );
    counts[result.status]++;
    await recordConsent(result.status);
  }
  return counts;
}

/**
 * What a consent statement records, by ingestConsent's rules: `none` (opted out or no lawful basis),
 * the lawful basis it names, or `undefined` for "allowed, no basis stated" (Salesforce: not opted out),
 * which states no objection and is recorded only to lift an earlier refusal. Null: a basis we do not know.
 */
type StatedConsent = Pick<ConsentRecord, 'lawfulBasis' | 'optedOut' | 'source'> | 'no_objection';

function statedConsent(c: PersonConsent): StatedConsent | null {
  if (c.profilingAllowed && (c.basis ?? '') === '') return 'no_objection';
  const basis = lawfulBasisOf(c);
  if (basis === null) return null;
  return { lawfulBasis: basis, optedOut: !c.profilingAllowed, source: consentSource(c.basis) };
}

const consentSource = (basis: string | null): string => `crm:${(basis ?? '').slice(0, 200) || '(none)'}`;

const allows = (c: Pick<ConsentRecord, 'lawfulBasis' | 'optedOut'>): boolean =>
  !c.optedOut && c.lawfulBasis !== 'none';

/**
 * Records the consent a person read carried when it differs from the latest one stored: at the
 * record's updatedAt in a backfill, from now on for a live read (as ingestConsent and live events).
 * Returns whether it recorded anything.
 */
async function consentChange(
  ctx: IngestContext,
  p: CanonicalPerson,
  stated: StatedConsent,
): Promise<boolean> {
  const current = await ctx.store.getConsentAsOf(ctx.tenantId, p.crmId, FAR_FUTURE);
  let next: Pick<ConsentRecord, 'lawfulBasis' | 'optedOut' | 'source'>;
  if (stated === 'no_objection') {
    // No record reads as "no objection" already (as-of.ts); only an earlier refusal needs lifting.
    // Without a stated basis, profiling rests on legitimate interest, which an objection ends
    // (GDPR Art. 21): that is the basis recorded when the objection is withdrawn (docs/decisions.md).
    if (current === undefined || allows(current)) return false;
    next = { lawfulBasis: 'legitimate_interest', optedOut: false, source: 'crm:(no objection stated)' };
  } else {
    if (
      current !== undefined &&
      current.lawfulBasis === stated.lawfulBasis &&
      current.optedOut === stated.optedOut
    )
      return false;
    next = stated;
  }
  const recordedAt = ctx.mode === 'backfill' ? p.updatedAt : Math.max(ctx.now, p.updatedAt);
  // Never behind what is stored: a later read must win the as-of lookup.
  await ctx.store.recordConsent({
    tenantId: ctx.tenantId,
    personId: p.crmId,
    ...next,
    recordedAt: current === undefined ? recordedAt : Math.max(recordedAt, current.recordedAt + 1),
  });
  return true;
}

export async function ingestCompanies(ctx: IngestContext, page: readonly unknown[]): Promise<IngestCounts> {
  const companies: CanonicalCompany[] = checkCompanies(page);
  const counts = emptyCounts();
  const { company: seedFields } = creationFields(ctx.fields);
  for (const c of companies) {
    if (c.updatedAt < c.createdAt) {
      throw new InvalidPageError('companies', [`company ${c.crmId}: updatedAt is before createdAt`]);
    }
    if (
      ctx.mode === 'backfill' &&
      c.updatedAt > c.createdAt &&
      !(await exists(ctx, COMPANY_OBJECT_TYPE, c.crmId))
    ) {
      await ctx.store.upsertRecord(
        ctx.tenantId,
        COMPANY_OBJECT_TYPE,
        c.crmId,
        companyDocument(storedProperties(pick(c.properties, seedFields), ctx.fields), c.createdAt),
        c.createdAt,
      );
      const full = await ctx.store.upsertRecord(
        ctx.tenantId,
        COMPANY_OBJECT_TYPE,
        c.crmId,
        companyDocument(storedProperties(c.properties, ctx.fields), c.updatedAt),
        c.updatedAt,
      );
      counts[full.status === 'stale' ? 'stale' : 'created']++;
      continue;
    }
    const result = await ctx.store.upsertRecord(
      ctx.tenantId,
      COMPANY_OBJECT_TYPE,
      c.crmId,
      companyDocument(storedProperties(c.properties, ctx.fields), c.updatedAt),
      c.updatedAt,
    );
    counts[result.status]++;
  }
  return counts;
}

/** A fact cannot be known before it happened: a live event stamped in our future is known when it happens. */
function knownAt(ctx: IngestContext, occurredAt: EpochMs): EpochMs {
  return ctx.mode === 'backfill' ? occurredAt : Math.max(ctx.now, occurredAt);
}

export async function ingestEvents(
  ctx: IngestContext,
  page: readonly unknown[],
): Promise<{ inserted: number; duplicates: number }> {
  const events: CanonicalEvent[] = checkEvents(page);
  const rows: NewEngagementEvent[] = events.map((e) => ({
    personId: e.personId,
    type: e.type,
    occurredAt: e.occurredAt,
    attributes: { ...e.attributes },
    sourceId: e.sourceId,
    recordedAt: knownAt(ctx, e.occurredAt),
  }));
  return await ctx.store.appendEvents(ctx.tenantId, rows, ctx.now);
}

export async function ingestOutcomes(
  ctx: IngestContext,
  page: readonly unknown[],
): Promise<{ inserted: number; duplicates: number }> {
  const outcomes: CanonicalOutcome[] = checkOutcomes(page);
  let inserted = 0;
  for (const o of outcomes) {
    const added = await ctx.store.recordOutcome(
      ctx.tenantId,
      {
        personId: o.personId,
        type: o.type,
        occurredAt: o.occurredAt,
        recordedAt: knownAt(ctx, o.occurredAt),
      },
      ctx.now,
    );
    if (added) inserted++;
  }
  return { inserted, duplicates: outcomes.length - inserted };
}

// CRM wording of a lawful basis (HubSpot's hs_legal_basis labels, GDPR terms) to the store's codes.
const BASIS_WORDS: readonly (readonly [LawfulBasis, RegExp])[] = [
  ['legitimate_interest', /legitimate/i],
  ['consent', /consent/i],
  ['contract', /contract/i],
  ['legal_obligation', /legal obligation/i],
  ['vital_interest', /vital/i],
  ['public_task', /public/i],
];

export function lawfulBasisOf(
  consent: Pick<CanonicalConsent, 'basis' | 'profilingAllowed'>,
): LawfulBasis | null {
  if (!consent.profilingAllowed) return 'none';
  const basis = consent.basis ?? '';
  for (const [code, words] of BASIS_WORDS) if (code === basis || words.test(basis)) return code;
  return null;
}

export async function ingestConsent(ctx: IngestContext, page: readonly unknown[]): Promise<number> {
  const records: CanonicalConsent[] = checkConsent(page);
  // Map everything first: a page with one unreadable basis is refused whole, not half written.
  const problems: string[] = [];
  // Salesforce's Lead and Contact carry an opt-out but no lawful basis (connectors/salesforce toConsent
  // sends basis null when not opted out): no statement either way, which the as-of view already reads
  // as "no objection", so nothing is recorded. Gap of this stream only: a person who opted out and later
  // back in keeps the opt-out here; consent carried by people reads lifts it (consentChange).
  const stated = records.filter((c) => !(c.profilingAllowed && (c.basis ?? '') === ''));
  const mapped = stated.map((c) => {
    const basis = lawfulBasisOf(c);
    if (basis === null) {
      problems.push(
        `person ${c.personId}: profiling allowed but the lawful basis "${c.basis ?? ''}" is not one we know`,
      );
    }
    return { c, basis: basis ?? 'none' };
  });
  if (problems.length > 0) throw new InvalidPageError('consent', problems);
  for (const { c, basis } of mapped) {
    await ctx.store.recordConsent({
      tenantId: ctx.tenantId,
      personId: c.personId,
      lawfulBasis: basis,
      optedOut: !c.profilingAllowed,
      recordedAt: ctx.mode === 'backfill' ? c.recordedAt : Math.max(ctx.now, c.recordedAt),
      source: `crm:${(c.basis ?? '').slice(0, 200) || '(none)'}`,
    });
  }
  return records.length;
}
