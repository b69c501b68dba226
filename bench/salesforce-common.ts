/**
 * Shared pieces of the Salesforce benches: an emulator org on a manual clock, bare-but-realistic Leads
 * seeded straight into the org's state (no API calls, no generator), a connector bound to it, and a
 * SQLite store in a temp dir with a Salesforce tenant.
 */
import {
  createSalesforceConnector,
  type SalesforceConnector,
  type SalesforceConnectorOptions,
} from '../connectors/salesforce/index.ts';
import { seedScoreFields } from '../test/salesforce-fixture.ts';
import type { Store } from '../app/kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../app/kit/store/test-support.ts';
import {
  startSalesforceEmulator,
  type OrgHandle,
  type SalesforceEmulator,
} from '../sandbox/salesforce/index.ts';

export const START = Date.UTC(2026, 0, 15, 12, 0, 0);
export const CLIENT_ID = 'leadgate-bench';

export interface BenchOrg {
  emulator: SalesforceEmulator;
  org: OrgHandle;
  clock: { now: number };
}

/** An emulator on port 0 whose clock only moves when the connector sleeps (no real waits). */
export async function startBenchOrg(): Promise<BenchOrg> {
  const clock = { now: START };
  const emulator = await startSalesforceEmulator({ port: 0, clock: () => clock.now });
  const org = emulator.createOrg({ dailyApiLimit: 10_000_000 });
  seedScoreFields(org);
  return { emulator, org, clock };
}

const TITLES = [
  'Chief Executive Officer',
  'VP Sales',
  'Head of Marketing',
  'Sales Manager',
  'Software Engineer',
  'Analyst',
  'Student',
  'Consultant',
] as const;
const INDUSTRIES = ['Technology', 'Finance', 'Healthcare', 'Retail', 'Manufacturing', 'Education'] as const;
const SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'] as const;
const COUNTRIES = ['Germany', 'United States', 'France', 'India', 'United Kingdom', 'Brazil'] as const;
const STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Not Converted'] as const;

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

/**
 * `n` Leads with the fields the connector reads filled as a real org would (title, company,
 * firmographics, source, country, 1 in 12 opted out), inserted in chunks through the org handle, i.e.
 * straight into the emulator's state: no API call is spent and no generator runs. Every `convertEvery`-th
 * Lead is converted (Account, Contact and Opportunity), so outcomes and Contacts exist too.
 */
export function seedLeads(org: OrgHandle, n: number, convertEvery = 0): string[] {
  const ids: string[] = [];
  for (let from = 0; from < n; from += 5_000) {
    const rows = [];
    for (let i = from; i < Math.min(n, from + 5_000); i++) {
      rows.push({
        FirstName: `First${i}`,
        LastName: `Lead ${i}`,
        Email: `lead${i}@company${i % 997}.example.com`,
        Company: `Company ${i % 997}`,
        Title: pick(TITLES, i * 7),
        Industry: pick(INDUSTRIES, i % 997),
        LeadSource: pick(SOURCES, i * 3),
        Status: pick(STATUSES, i),
        AnnualRevenue: 1_000_000 * (1 + (i % 997)),
        NumberOfEmployees: 10 + ((i * 37) % 5_000),
        Country: pick(COUNTRIES, i % 997),
        City: `City ${i % 50}`,
        Website: `https://company${i % 997}.example.com`,
        HasOptedOutOfEmail: i % 12 === 0,
      });
    }
    ids.push(...org.insert('Lead', rows));
  }
  if (convertEvery > 0) {
    for (let i = 1; i < ids.length; i += convertEvery)
      org.convertLead(ids[i] as string, { createOpportunity: true });
  }
  return ids;
}

export function benchConnector(
  b: BenchOrg,
  overrides: Partial<SalesforceConnectorOptions> = {},
): SalesforceConnector {
  return createSalesforceConnector({
    instanceUrl: b.emulator.url,
    accessToken: () => Promise.resolve(b.org.issueToken().accessToken),
    version: '64.0',
    clientId: CLIENT_ID,
    clock: () => b.clock.now,
    // Waits (Bulk 2.0 polls, retries) move the shared clock instead of taking real time.
    sleep: (ms) => {
      b.clock.now += ms;
      return Promise.resolve();
    },
    rng: () => 0.5,
    budget: { share: 1 },
    ...overrides,
  });
}

export interface SfBenchStore {
  db: TestDb;
  store: Store;
  tenantId: string;
}

export async function openSfStore(orgId: string, now: number): Promise<SfBenchStore> {
  const db = await sqliteFactory.create();
  const store = await db.open();
  const tenant = await store.createTenant(
    { crm: 'salesforce', externalId: orgId, name: `bench ${orgId}` },
    now,
  );
  return { db, store, tenantId: tenant.id };
}

export async function closeSfStore(b: SfBenchStore): Promise<void> {
  await b.store.close();
  await b.db.destroy();
}
