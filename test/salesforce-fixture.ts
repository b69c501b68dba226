import type { ScoreWrite } from '../connectors/index.ts';
import {
  createSalesforceConnector,
  SCORE_FIELDS,
  SCORED_OBJECTS,
  type SalesforceConnector,
  type SalesforceConnectorOptions,
} from '../connectors/salesforce/index.ts';
import {
  startSalesforceEmulator,
  type OrgHandle,
  type SalesforceEmulator,
} from '../sandbox/salesforce/index.ts';

/**
 * Test harness: an emulator on port 0 with a fake clock, one org, and connectors bound to it. It
 * lives in test/, not connectors/salesforce/, because it loads the emulator (sandbox/), which no
 * non-test file under connectors/ may import (design.md §2); the connector tests, the pipeline's
 * end-to-end test and the Salesforce benches share it.
 */
export interface Fixture {
  emulator: SalesforceEmulator;
  org: OrgHandle;
  clock: { now: number };
  sleeps: number[];
  connector: (overrides?: Partial<SalesforceConnectorOptions>) => SalesforceConnector;
  /** Counts requests matching method/path (a zero-latency fault rule that never retires). */
  countRequests: (method: string, path: string | RegExp) => () => number;
}

export const CLIENT_ID = 'leadgate-test';
export const START = Date.UTC(2026, 0, 15, 12, 0, 0);

export async function startFixture(dailyApiLimit = 1_000_000): Promise<Fixture> {
  const clock = { now: START };
  const emulator = await startSalesforceEmulator({
    port: 0,
    clock: () => clock.now,
    bulkDefaultMaxRecords: 10_000,
    // Held CometD connects re-check their session this often (real time), so expiry shows at once.
    cometdAuthCheckMs: 20,
  });
  const org = emulator.createOrg({ dailyApiLimit });
  const sleeps: number[] = [];
  return {
    emulator,
    org,
    clock,
    sleeps,
    connector: (overrides = {}) =>
      createSalesforceConnector({
        instanceUrl: emulator.url,
        // A fresh session each time it is asked, as the app's refresh would give: sessions expire
        // after 2 hours without calls, and the tests jump the clock past midnight.
        accessToken: () => Promise.resolve(org.issueToken().accessToken),
        version: '64.0',
        clientId: CLIENT_ID,
        clock: () => clock.now,
        // No real waits: record them instead.
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
        rng: () => 0.5,
        budget: { share: 1 },
        ...overrides,
      }),
    countRequests: (method, path) => {
      emulator.faults.add({ kind: 'latency', latencyMs: 0, method, path });
      const index = emulator.faults.firedCounts().length - 1;
      return () => emulator.faults.firedCounts()[index] ?? 0;
    },
  };
}

/** Creates the leadgate fields directly, open to the integration user, for tests that skip ensureSchema. */
export function seedScoreFields(org: OrgHandle): void {
  for (const object of SCORED_OBJECTS) {
    for (const f of SCORE_FIELDS)
      org.createCustomField(`${object}.${f.name}`, f.metadata, { openToAll: true });
  }
}

export interface SeededOrg {
  leadIds: string[];
  convertedLeadIds: string[];
  contactIds: string[];
  accountIds: string[];
  activityIds: string[];
  opportunityAccountIds: string[];
}

/** Leads (some converted), Accounts with Contacts, Tasks and Events on people, in one org. */
export function seedOrg(org: OrgHandle, leads: number, contacts: number): SeededOrg {
  const leadIds = org.insert(
    'Lead',
    Array.from({ length: leads }, (_, i) => ({
      LastName: `Lead ${i}`,
      Company: `Company ${i % 50}`,
      Email: `lead${i}@example.com`,
      NumberOfEmployees: 10 + i,
      HasOptedOutOfEmail: i % 10 === 0,
    })),
  );
  const accountIds = org.insert(
    'Account',
    Array.from({ length: Math.max(1, Math.ceil(contacts / 5)) }, (_, i) => ({
      Name: `Account ${i}`,
      Industry: 'Technology',
    })),
  );
  const contactIds = org.insert(
    'Contact',
    Array.from({ length: contacts }, (_, i) => ({
      LastName: `Contact ${i}`,
      AccountId: accountIds[i % accountIds.length],
    })),
  );
  const convertedLeadIds = leadIds.filter((_, i) => i % 20 === 0);
  const converted = convertedLeadIds.map((id) => org.convertLead(id, { createOpportunity: true }));
  const people = [...leadIds.filter((_, i) => i % 20 !== 0).slice(0, 200), ...contactIds.slice(0, 200)];
  const activityIds = [
    ...org.insert(
      'Task',
      people.map((who, i) => ({
        WhoId: who,
        Subject: i % 2 === 0 ? 'Call' : 'Re: pricing',
        Type: i % 2 === 0 ? 'Call' : 'Email',
        ActivityDate: '2026-01-10',
      })),
    ),
    ...org.insert(
      'Event',
      people.slice(0, 100).map((who) => ({
        WhoId: who,
        Subject: 'Demo',
        Type: 'Meeting',
        ActivityDateTime: '2026-01-12T15:00:00.000Z',
        DurationInMinutes: 30,
      })),
    ),
  ];
  return {
    leadIds,
    convertedLeadIds,
    contactIds: [...contactIds, ...converted.map((c) => c.contactId)],
    accountIds: [...accountIds, ...converted.map((c) => c.accountId)],
    activityIds,
    opportunityAccountIds: converted.map((c) => c.accountId),
  };
}

export function scoreWrite(crmId: string, objectType: ScoreWrite['objectType'], score: number): ScoreWrite {
  return {
    crmId,
    objectType,
    fields: {
      score,
      tier: score >= 75 ? 'A' : score >= 50 ? 'B' : score >= 25 ? 'C' : 'D',
      fitScore: score / 2,
      engagementScore: score / 2,
      route: score >= 75 ? 'ae' : 'nurture',
      confidence: 'high',
      reasons: `Reason for ${crmId}`,
      modelVersion: 'm-1',
      scoredAt: START,
    },
  };
}

/** Reads every page of a listing. */
export async function drain<T>(
  list: (cursor?: string) => Promise<{ items: T[]; next?: string }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor);
    items.push(...page.items);
    pages += 1;
    cursor = page.next;
  } while (cursor !== undefined);
  return { items, pages };
}
