import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalPerson } from '../../connectors/index.ts';
import type { Store } from '../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../kit/store/test-support.ts';
import { everyoneAsOf } from './as-of.ts';
import { CRM_FIELDS } from './feature-spec.ts';
import { ingestPeople } from './ingest.ts';
import { buildTrainingSet } from './train.ts';
import { DEFAULT_OUTCOMES } from './outcome.ts';

/**
 * Store calls on SQLite resolve in microtasks, which never give the event loop a turn: a pass over
 * every person would hold timers and sockets (the HTTP server's keep-alive sockets among them) for
 * its whole length. These passes must let the loop turn as they go.
 */
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const NOW = T0 + 400 * DAY;
const PEOPLE = 1_000;
let db: TestDb;
let store: Store;
let tenantId: string;

beforeEach(async () => {
  db = await sqliteFactory.create();
  store = await db.open();
  tenantId = (await store.createTenant({ crm: 'hubspot', externalId: '1', name: 'p' }, T0)).id;
  const people: CanonicalPerson[] = Array.from({ length: PEOPLE }, (_, i) => ({
    crmId: `p${i}`,
    objectType: 'contact',
    createdAt: T0 + (i % 100) * DAY,
    updatedAt: T0 + (i % 100) * DAY,
    properties: { jobtitle: 'CEO', hs_analytics_source: 'REFERRALS', lifecyclestage: 'lead' },
  }));
  await ingestPeople({ store, tenantId, mode: 'backfill', now: NOW, fields: CRM_FIELDS.hubspot }, people);
});
afterEach(async () => {
  await store.close();
  await db.destroy();
});

/** How many turns the event loop took while `work` ran. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const spin = (): void => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  await work();
  running = false;
  return turns;
}

describe('passes over every person let the event loop turn', () => {
  it('everyoneAsOf (the rescore read)', async () => {
    const turns = await turnsDuring(() => everyoneAsOf(store, tenantId, NOW, CRM_FIELDS.hubspot));
    expect(turns).toBeGreaterThanOrEqual(PEOPLE / 250);
  });

  it('buildTrainingSet (the retrain read)', async () => {
    const turns = await turnsDuring(() =>
      buildTrainingSet(store, tenantId, NOW, DEFAULT_OUTCOMES.hubspot, CRM_FIELDS.hubspot),
    );
    expect(turns).toBeGreaterThanOrEqual(PEOPLE / 250);
  });
});
