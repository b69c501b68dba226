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

/**
 * The store as scoreTenant sees it, except that the first time the score step moves `scoreId` to
 * 'skipped', a write-back marks it written just before (PostgreSQL: its transaction committed after the
 * score step read the history, before the score step's update).
 */
function writtenMeanwhile(inner: Store, scoreId: string, at: number): Store {
  let done = false;
  const wrapTx = (tx: Store): Store =>
    new Proxy(tx, {
      get(target, prop) {
        if (prop === 'transitionWriteBack') {
          return async (...args: Parameters<Store['transitionWriteBack']>) => {
            const [t, id, change] = args;
            if (!done && id === scoreId && change.to === 'skipped') {
              done = true;
              await target.transitionWriteBack(t, id, { from: ['pending'], to: 'written', at });
            }
            return target.transitionWriteBack(...args);
          };
        }
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'transaction')
        return <T>(fn: (tx: Store) => Promise<T>) => target.transaction((tx) => fn(wrapTx(tx)));
      const v: unknown = Reflect.get(target, prop);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('a write-back racing the score step (issue 14 item 7)', () => {
  const withTitle = (Title: string, updatedAt: number): CanonicalPerson => {
    const l = lead('00Q1', false, updatedAt);
    return { ...l, properties: { ...l.properties, Title } };
  };

  it('keeps a write that landed meanwhile, and queues the new score even when it equals the older write', async () => {
    await ingestPeople(ctx(), [withTitle('VP Sales', T0 + DAY)]);
    await run();
    const first = await store.getLatestScore(tenantId, '00Q1');
    if (first === undefined) throw new Error('not scored');
    await store.setWriteBackState(tenantId, first.id, 'written', NOW);
    // The title changes: a different score waits for write-back.
    await ingestPeople(ctx(NOW + DAY), [withTitle('Intern', NOW + DAY)]);
    expect(await run(NOW + 2 * DAY)).toMatchObject({ pending: 1 });
    const waiting = await store.getLatestScore(tenantId, '00Q1');
    if (waiting === undefined || waiting.score === first.score) throw new Error('the score did not move');
    // The title changes back: against the first write the new score is unchanged, but the waiting one
    // is written while the score step runs, so the CRM now shows that one.
    await ingestPeople(ctx(NOW + 3 * DAY), [withTitle('VP Sales', NOW + 3 * DAY)]);
    const racing = writtenMeanwhile(store, waiting.id, NOW + 4 * DAY);
    const summary = await scoreTenant({
      store: racing,
      tenantId,
      now: NOW + 4 * DAY,
      fields: CRM_FIELDS.salesforce,
      actor: 'test',
    });
    expect(summary).toMatchObject({ scored: 1, pending: 1, unchanged: 0 });
    const history = await store.listScores(tenantId, '00Q1', 10);
    expect(history.map((s) => [s.score, s.writeBack])).toEqual([
      [first.score, 'pending'],
      [waiting.score, 'written'],
      [first.score, 'written'],
    ]);
  });
});
