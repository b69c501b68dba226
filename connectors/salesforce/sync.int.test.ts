import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import {
  drain,
  seedOrg,
  startFixture,
  START,
  type Fixture,
  type SeededOrg,
} from '../../test/salesforce-fixture.ts';
import { OUTCOME_LEAD_CONVERTED, OUTCOME_OPPORTUNITY_CREATED } from './outcomes.ts';

let fx: Fixture;
let seeded: SeededOrg;

beforeAll(async () => {
  fx = await startFixture();
  seeded = seedOrg(fx.org, 1000, 1000);
});
afterAll(async () => {
  await fx.emulator.close();
});
afterEach(() => {
  fx.emulator.faults.clear();
});

const sorted = (ids: string[]): string[] => [...ids].sort();
// The emulator orders 18-character ids case-insensitively, in ORDER BY and in `Id >` alike.
const byServerOrder = (ids: string[]): string[] =>
  [...ids].sort((a, b) =>
    a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0,
  );

describe('backfill', () => {
  it('yields every Lead and Contact exactly once through SOQL pages', async () => {
    const queries = fx.countRequests('GET', /\/query/);
    const bulk = fx.countRequests('POST', '/services/data/v64.0/jobs/query');
    const { items } = await drain((c) => fx.connector().listPeople(c));
    expect(sorted(items.map((p) => p.crmId))).toEqual(sorted([...seeded.leadIds, ...seeded.contactIds]));
    expect(bulk()).toBe(0);
    // 1,000 Leads and 1,050 Contacts at up to 2,000 records a page: one call each.
    expect(queries()).toBe(2);
    const converted = items.find((p) => p.crmId === seeded.convertedLeadIds[0]);
    expect(converted).toMatchObject({ objectType: 'lead', properties: { IsConverted: 'true' } });
    expect(converted?.companyId).toMatch(/^001/);
    const contact = items.find((p) => p.crmId === seeded.contactIds[0]);
    expect(contact).toMatchObject({ objectType: 'contact', createdAt: START, updatedAt: START });
    expect(contact?.companyId).toMatch(/^001/);
  });

  it('reads through Bulk API 2.0 above the threshold, keeping the first SOQL page, paged by locator', async () => {
    // Its own org: each object above one 2,000-record SOQL page.
    const big = await startFixture();
    try {
      const org = seedOrg(big.org, 4500, 2100);
      const queries = big.countRequests('GET', /\/v64\.0\/query$/);
      const jobs = big.countRequests('POST', '/services/data/v64.0/jobs/query');
      const results = big.countRequests('GET', /\/jobs\/query\/[^/]+\/results/);
      const bulkPeople = await drain((c) =>
        big.connector({ bulkThreshold: 2000, bulkPageSize: 1000 }).listPeople(c),
      );
      // One SOQL page each (ordered by Id, kept), then a job for the Ids above its last one.
      expect(queries()).toBe(2);
      expect(jobs()).toBe(2);
      // Leads: 2,000 + 2,500 in 3 pages of ≤ 1,000; Contacts (2,100 + 225 converted): 2,000 + 325 in 1.
      expect(results()).toBe(4);
      const ids = bulkPeople.items.map((p) => p.crmId);
      expect(ids).toHaveLength(4500 + org.contactIds.length);
      expect(sorted(ids)).toEqual(sorted([...org.leadIds, ...org.contactIds]));
      // CSV strings and JSON values normalise to the same canonical records.
      const soqlPeople = await drain((c) => big.connector().listPeople(c));
      const byId = new Map(soqlPeople.items.map((p) => [p.crmId, p]));
      for (const p of bulkPeople.items) expect(p).toEqual(byId.get(p.crmId));
    } finally {
      await big.emulator.close();
    }
  });

  it('makes no Bulk job when the first SOQL page already holds every record', async () => {
    const jobs = fx.countRequests('POST', '/services/data/v64.0/jobs/query');
    const { items } = await drain((c) => fx.connector({ bulkThreshold: 500 }).listPeople(c));
    expect(items).toHaveLength(2050);
    expect(jobs()).toBe(0);
  });

  it('yields Accounts, engagement events, outcomes, and consent with the people', async () => {
    const connector = fx.connector();
    const companies = await drain((c) => connector.listCompanies(c));
    expect(sorted(companies.items.map((c) => c.crmId))).toEqual(sorted(seeded.accountIds));

    const events = await drain((c) => connector.listEvents(c));
    expect(sorted(events.items.map((e) => e.sourceId))).toEqual(sorted(seeded.activityIds));
    expect(new Set(events.items.map((e) => e.type))).toEqual(new Set(['call', 'email_reply', 'meeting']));
    expect(events.items.find((e) => e.type === 'meeting')?.occurredAt).toBe(
      Date.parse('2026-01-12T15:00:00.000Z'),
    );

    const outcomes = await drain((c) => connector.listOutcomes(c));
    const converted = outcomes.items.filter((o) => o.type === OUTCOME_LEAD_CONVERTED);
    expect(sorted(converted.map((o) => o.personId))).toEqual(sorted(seeded.convertedLeadIds));
    // Each converted Lead's Opportunity sits on its new Account, whose one Contact gets the outcome.
    expect(outcomes.items.filter((o) => o.type === OUTCOME_OPPORTUNITY_CREATED)).toHaveLength(
      seeded.convertedLeadIds.length,
    );

    // Consent comes with every people read (HasOptedOutOfEmail is a people field): no consent pass.
    const people = await drain((c) => connector.listPeople(c));
    expect(people.items).toHaveLength(seeded.leadIds.length + seeded.contactIds.length);
    expect(people.items.filter((p) => p.consent?.profilingAllowed === false)).toHaveLength(100);
    expect(people.items.every((p) => p.consent !== undefined)).toBe(true);
    const consent = await drain((c) => connector.listConsent(c));
    expect(consent.items).toEqual([]);
  });
});

describe('listPeopleChangedSince', () => {
  it('returns exactly the people changed at or after the time, keyset-paged', async () => {
    fx.clock.now = START + 60_000;
    const changedLeads = seeded.leadIds.filter((_, i) => i % 20 !== 0).slice(0, 250);
    for (const id of changedLeads) fx.org.update('Lead', id, { Title: 'VP' });
    fx.clock.now = START + 120_000;
    const changedContacts = seeded.contactIds.slice(0, 30);
    for (const id of changedContacts) fx.org.update('Contact', id, { Title: 'CTO' });

    const connector = fx.connector({ changedPageSize: 100 });
    const { items, pages } = await drain((c) => connector.listPeopleChangedSince(START + 60_000, c));
    expect(items.map((p) => p.crmId)).toEqual([
      ...byServerOrder(changedLeads),
      ...byServerOrder(changedContacts),
    ]);
    expect(pages).toBe(3 + 1);
    const since2 = await drain((c) => connector.listPeopleChangedSince(START + 120_000, c));
    expect(since2.items.map((p) => p.crmId)).toEqual(byServerOrder(changedContacts));
  });
});
