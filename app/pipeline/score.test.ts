import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalPerson } from '../../connectors/index.ts';
import type { Store } from '../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../kit/store/test-support.ts';
import { CRM_FIELDS } from './feature-spec.ts';
import { ingestPeople, type IngestContext } from './ingest.ts';
import { closedBy, scoreTenant } from './score.ts';

/** The score step and records the CRM has closed (a converted Salesforce Lead), on the real store. */

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const NOW = T0 + 200 * DAY;
let db: TestDb;
let store: Store;
let tenantId: string;

beforeEach(async () => {
  db = await sqliteFactory.create();
  store = await db.open();
  tenantId = (await store.createTenant({ crm: 'salesforce', externalId: '00D1', name: 'o' }, T0)).id;
});
afterEach(async () => {
  await store.close();
  await db.destroy();
});

const ctx = (now = NOW): IngestContext => ({
  store,
  tenantId,
  mode: 'live',
  now,
  fields: CRM_FIELDS.salesforce,
});

const lead = (crmId: string, converted: boolean, updatedAt = T0 + DAY): CanonicalPerson => ({
  crmId,
  objectType: 'lead',
  createdAt: T0,
  updatedAt,
  properties: {
    Title: 'VP Sales',
    Email: 'x@acme.io',
    LeadSource: 'Web',
    NumberOfEmployees: '500',
    IsConverted: String(converted),
    ConvertedContactId: converted ? '003000000000001AAA' : null,
  },
});

const run = (now = NOW) =>
  scoreTenant({ store, tenantId, now, fields: CRM_FIELDS.salesforce, actor: 'test' });

describe('closed records', () => {
  it('matches the Salesforce rule on a converted Lead only', () => {
    const props = { IsConverted: 'true' };
    expect(closedBy(CRM_FIELDS.salesforce, 'lead', props)).toMatchObject({ property: 'IsConverted' });
    expect(closedBy(CRM_FIELDS.salesforce, 'lead', { IsConverted: 'false' })).toBeUndefined();
    expect(closedBy(CRM_FIELDS.salesforce, 'contact', props)).toBeUndefined();
    expect(closedBy(CRM_FIELDS.hubspot, 'lead', props)).toBeUndefined();
  });

  it('scores an open Lead, never a converted one, and audits the converted one as closed', async () => {
    await ingestPeople(ctx(), [lead('00Q1', false), lead('00Q2', true)]);
    expect(await run()).toMatchObject({ considered: 2, scored: 1, pending: 1, closed: 1 });
    expect(await store.getLatestScore(tenantId, '00Q2')).toBeUndefined();
    const audit = await store.listAuditRows(tenantId, 0, 10);
    const lines = JSON.stringify(audit[0]?.details);
    expect(lines).toContain('["00Q2",null,null,null,null,"closed","closed in the CRM (IsConverted = true)"]');
  });

  it('sets aside a waiting and a dead-lettered score once the Lead is converted', async () => {
    await ingestPeople(ctx(), [lead('00Q1', false), lead('00Q3', false)]);
    await run();
    const waiting = await store.getLatestScore(tenantId, '00Q1');
    const refused = await store.getLatestScore(tenantId, '00Q3');
    if (waiting === undefined || refused === undefined) throw new Error('not scored');
    // 00Q3 was converted between its scoring and its write: the CRM refused the write.
    await store.setWriteBackState(
      tenantId,
      refused.id,
      'failed',
      NOW,
      'Salesforce CANNOT_UPDATE_CONVERTED_LEAD: cannot reference converted lead',
    );
    // Both are converted in the CRM; the next sync brings the closed version.
    await ingestPeople(ctx(NOW + DAY), [lead('00Q1', true, NOW + DAY), lead('00Q3', true, NOW + DAY)]);
    expect(await run(NOW + 2 * DAY)).toMatchObject({ scored: 0, pending: 0, closed: 2 });
    expect(await store.listScoresByWriteBack(tenantId, 'pending', 10)).toEqual([]);
    expect(await store.listScoresByWriteBack(tenantId, 'failed', 10)).toEqual([]);
    expect(await store.listDeadLetters(tenantId)).toEqual([]);
    const after = await store.getLatestScore(tenantId, '00Q3');
    expect(after).toMatchObject({ id: refused.id, writeBack: 'skipped' });
    expect(after?.writeBackError).toMatch(
      /^closed in the CRM \(IsConverted = true\); was failed: .*CONVERTED_LEAD/,
    );
  });
});
