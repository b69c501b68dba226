import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalPerson } from '../../connectors/index.ts';
import type { Store } from '../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../kit/store/test-support.ts';
import { CRM_FIELDS, EMAIL_DOMAIN_TYPE_PROPERTY } from './feature-spec.ts';
import { ingestConsent, ingestEvents, ingestOutcomes, ingestPeople, type IngestContext } from './ingest.ts';
import { InvalidPageError } from './canonical-schema.ts';
import { buildTrainingSet } from './train.ts';
import { scoreTenant } from './score.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const NOW = T0 + 200 * DAY;
let db: TestDb;
let store: Store;
let tenantId: string;

beforeEach(async () => {
  db = await sqliteFactory.create();
  store = await db.open();
  tenantId = (await store.createTenant({ crm: 'hubspot', externalId: '1', name: 'p' }, T0)).id;
});
afterEach(async () => {
  await store.close();
  await db.destroy();
});

const ctx = (mode: IngestContext['mode'] = 'backfill'): IngestContext => ({
  store,
  tenantId,
  mode,
  now: NOW,
  fields: CRM_FIELDS.hubspot,
});

const person = (over: Partial<CanonicalPerson> = {}): CanonicalPerson => ({
  crmId: 'p1',
  objectType: 'contact',
  createdAt: T0,
  updatedAt: T0 + 100 * DAY,
  properties: {
    jobtitle: 'CEO',
    email: 'a@acme.io',
    lifecyclestage: 'customer',
    hs_analytics_source: 'REFERRALS',
  },
  ...over,
});

describe('ingest', () => {
  it('changes nothing when the same pages arrive twice', async () => {
    const events = [
      {
        personId: 'p1',
        type: 'page_view',
        occurredAt: T0 + DAY,
        attributes: { hs_url: '/pricing' },
        sourceId: 'e1',
      },
    ];
    const outcomes = [{ personId: 'p1', type: 'deal_created', occurredAt: T0 + 20 * DAY }];
    const consent = [
      {
        personId: 'p1',
        profilingAllowed: true,
        basis: 'Legitimate interest – prospect/lead',
        recordedAt: T0,
      },
    ];
    expect(await ingestPeople(ctx(), [person()])).toMatchObject({ created: 1 });
    expect(await ingestEvents(ctx(), events)).toEqual({ inserted: 1, duplicates: 0 });
    expect(await ingestOutcomes(ctx(), outcomes)).toEqual({ inserted: 1, duplicates: 0 });
    await ingestConsent(ctx(), consent);

    expect(await ingestPeople(ctx(), [person()])).toEqual({
      created: 0,
      changed: 0,
      unchanged: 1,
      stale: 0,
      consentChanged: 0,
      outcomesRecorded: 0,
    });
    expect(await ingestEvents(ctx(), events)).toEqual({ inserted: 0, duplicates: 1 });
    expect(await ingestOutcomes(ctx(), outcomes)).toEqual({ inserted: 0, duplicates: 1 });
    await ingestConsent(ctx(), consent);
    expect(await store.getConsentAsOf(tenantId, 'p1', NOW)).toMatchObject({
      lawfulBasis: 'legitimate_interest',
      optedOut: false,
    });
  });

  it('knows only the fit fields at creation after a backfill, and every stored field from updatedAt', async () => {
    await ingestPeople(ctx(), [person()]);
    const early = await store.getRecordAsOf(tenantId, 'contact', 'p1', T0 + DAY);
    expect(early?.properties.properties).toEqual({
      jobtitle: 'CEO',
      [EMAIL_DOMAIN_TYPE_PROPERTY]: 'company',
      hs_analytics_source: 'REFERRALS',
    });
    expect(early?.validFrom).toBe(T0);
    // Lifecycle stage is the outcome's business (the connector reads it into outcomes), never a stored
    // field; the full record is still its own version, at updatedAt.
    const late = await store.getRecordAsOf(tenantId, 'contact', 'p1', T0 + 100 * DAY);
    expect(late?.validFrom).toBe(T0 + 100 * DAY);
    expect(late?.properties.properties).not.toHaveProperty('lifecyclestage');
    // A stored field that moves with the outcome (a Lead's IsConverted) is known from updatedAt only.
    await ingestPeople({ ...ctx(), fields: CRM_FIELDS.salesforce }, [
      person({ crmId: '00Q1', objectType: 'lead', properties: { Title: 'CFO', IsConverted: 'true' } }),
    ]);
    const seed = await store.getRecordAsOf(tenantId, 'lead', '00Q1', T0 + DAY);
    expect(seed?.properties.properties).toEqual({ Title: 'CFO' });
    const converted = await store.getRecordAsOf(tenantId, 'lead', '00Q1', T0 + 100 * DAY);
    expect(converted?.properties.properties).toEqual({ Title: 'CFO', IsConverted: 'true' });
  });

  it('stores only what the features read: no names, city, website or email address (issue 14 item 11)', async () => {
    const personal = {
      firstname: 'Ada',
      lastname: 'Lovelace',
      email: 'ada.lovelace@acme.io',
      phone: '+44 20 7946 0000',
      city: 'London',
      website: 'https://ada.example',
      company: 'Acme Ltd',
    };
    await ingestPeople(ctx('live'), [
      person({ updatedAt: T0, properties: { ...personal, jobtitle: 'CEO', country: 'Germany' } }),
    ]);
    const { ingestCompanies } = await import('./ingest.ts');
    await ingestCompanies(ctx('live'), [
      {
        crmId: 'c1',
        createdAt: T0,
        updatedAt: T0,
        properties: { name: 'Acme Ltd', domain: 'acme.io', city: 'Leeds', industry: 'RETAIL' },
      },
    ]);
    const raw = db.raw();
    const rows = await raw.query('select properties from record_versions');
    await raw.close();
    const text = rows.map((r) => String(r.properties)).join('\n');
    expect(rows).toHaveLength(2);
    for (const value of [...Object.values(personal), 'acme.io', 'Leeds']) expect(text).not.toContain(value);
    const stored = await store.getRecordAsOf(tenantId, 'contact', 'p1', NOW);
    expect(stored?.properties.properties).toEqual({
      jobtitle: 'CEO',
      country: 'Germany',
      [EMAIL_DOMAIN_TYPE_PROPERTY]: 'company',
    });
  });

  it('refuses a malformed page whole, naming the item and field', async () => {
    const bad = { ...person(), createdAt: 'yesterday' };
    await expect(ingestPeople(ctx(), [person({ crmId: 'ok' }), bad])).rejects.toThrow(InvalidPageError);
    await expect(ingestPeople(ctx(), [bad])).rejects.toThrow(/people\[0\]\/createdAt must be integer/);
    expect(await store.getRecordAsOf(tenantId, 'contact', 'ok', NOW)).toBeUndefined();
  });

  it('refuses consent that allows profiling on a basis it cannot read', async () => {
    await expect(
      ingestConsent(ctx(), [{ personId: 'p1', profilingAllowed: true, basis: 'because', recordedAt: T0 }]),
    ).rejects.toThrow(/lawful basis "because"/);
  });
});

describe('buildTrainingSet', () => {
  const outcome = { types: ['deal_created'], horizonDays: 90, decisionDelayDays: 7 };

  it('never sees a value recorded after the decision time', async () => {
    // Known at creation as a student; a live change after the decision time makes them a CEO.
    await ingestPeople({ ...ctx('live'), now: T0 }, [
      person({ updatedAt: T0, properties: { jobtitle: 'Student', email: 'a@gmail.com' } }),
    ]);
    await ingestPeople({ ...ctx('live'), now: T0 + 30 * DAY }, [
      person({ updatedAt: T0 + 30 * DAY, properties: { jobtitle: 'CEO', email: 'a@acme.io' } }),
    ]);
    await ingestEvents(ctx(), [
      { personId: 'p1', type: 'meeting', occurredAt: T0 + 3 * DAY, attributes: {}, sourceId: 'm-before' },
      { personId: 'p1', type: 'meeting', occurredAt: T0 + 8 * DAY, attributes: {}, sourceId: 'm-after' },
    ]);
    await ingestOutcomes(ctx(), [{ personId: 'p1', type: 'deal_created', occurredAt: T0 + 40 * DAY }]);

    const set = await buildTrainingSet(store, tenantId, NOW, outcome, CRM_FIELDS.hubspot);
    expect(set.rows).toHaveLength(1);
    const row = set.rows[0];
    expect(row?.decisionAt).toBe(T0 + 7 * DAY);
    expect(row?.lead.attributes).toMatchObject({ seniority: 'student', email_domain_type: 'free' });
    expect(row?.lead.events?.map((e) => e.occurredAt)).toEqual([T0 + 3 * DAY]);
    expect(row?.label).toBe(1);
  });

  it('leaves out immature windows, earlier conversions and persons without a lawful basis, and counts them', async () => {
    await ingestPeople(ctx(), [
      person({ crmId: 'young', createdAt: NOW - 30 * DAY, updatedAt: NOW - DAY }),
      person({ crmId: 'early', createdAt: T0, updatedAt: T0 + DAY }),
      person({ crmId: 'objects', createdAt: T0, updatedAt: T0 + DAY }),
      person({ crmId: 'late-win', createdAt: T0, updatedAt: T0 + DAY }),
    ]);
    await ingestOutcomes(ctx(), [
      { personId: 'early', type: 'deal_created', occurredAt: T0 + 2 * DAY },
      { personId: 'late-win', type: 'deal_created', occurredAt: T0 + 150 * DAY },
    ]);
    await ingestConsent(ctx(), [
      { personId: 'objects', profilingAllowed: false, basis: null, recordedAt: T0 + DAY },
    ]);
    const set = await buildTrainingSet(store, tenantId, NOW, outcome, CRM_FIELDS.hubspot);
    expect(set.excluded).toEqual({ immature: 1, convertedBefore: 1, noConsent: 1, unknownAtDecision: 0 });
    expect(set.rows.map((r) => [r.personId, r.label])).toEqual([['late-win', 0]]);
  });
});

describe('scoreTenant', () => {
  it('queues a first score, skips an unchanged rescore, and does not score a person who objects', async () => {
    await ingestPeople(ctx(), [person(), person({ crmId: 'p2' })]);
    await ingestConsent(ctx(), [{ personId: 'p2', profilingAllowed: false, basis: null, recordedAt: T0 }]);
    const run = (now = NOW) =>
      scoreTenant({ store, tenantId, now, fields: CRM_FIELDS.hubspot, actor: 'test' });
    expect(await run()).toMatchObject({
      considered: 2,
      scored: 1,
      pending: 1,
      unscored: 1,
      modelVersion: null,
    });
    const first = await store.getLatestScore(tenantId, 'p1');
    if (first === undefined) throw new Error('no score');
    await store.setWriteBackState(tenantId, first.id, 'written', NOW);
    expect(await run(NOW + 1)).toMatchObject({ scored: 1, pending: 0, unchanged: 1 });
    expect((await store.getLatestScore(tenantId, 'p1'))?.writeBack).toBe('skipped');
    expect(first.decision).toMatchObject({ source: 'rules', modelVersion: 'rules:b2b-default-1' });
    const audit = await store.listAuditRows(tenantId, 0, 10);
    expect(audit.map((a) => a.action)).toEqual(['score.decide', 'score.decide']);
    expect(JSON.stringify(audit[0]?.details)).toContain('no lawful basis for profiling');
  });
});
