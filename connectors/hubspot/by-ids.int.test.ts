import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePortal } from '../../sandbox/generator/index.ts';
import type { SeedResult } from '../../sandbox/hubspot/index.ts';
import { startFixture, type EmulatorFixture } from '../../sandbox/hubspot/testing.ts';
import type { CanonicalPerson, Page } from '../types.ts';
import type { RetryEvent } from './client.ts';
import type { HubSpotConnector, HubSpotConnectorOptions } from './connector.ts';
import { PortalBudget } from './rate-budget.ts';
import { HUBSPOT_SCOPES } from './scopes.ts';
import { emulatorConnector } from './testdata/emulator-connector.ts';

let f: EmulatorFixture;
let seeded: SeedResult;
let ids: string[];

beforeEach(async () => {
  f = await startFixture(HUBSPOT_SCOPES);
  seeded = f.emulator.portals.seed(f.portal.id, generatePortal({ contacts: 300, seed: 5 }));
  ids = [...seeded.contacts.values()];
});
afterEach(async () => {
  await f.emulator.close();
});

/** The real connector on this file's emulator, on its clock (testdata/emulator-connector.ts). */
const connector = (extra: Partial<HubSpotConnectorOptions> = {}): HubSpotConnector =>
  emulatorConnector(f, extra);

/** The emulator's requests from index `from` on, as `METHOD path`. */
const callsSince = (from: number): string[] =>
  f.emulator.requests.slice(from).map((r) => `${r.method} ${r.path}`);

const BATCH_READ = 'POST /crm/v3/objects/contacts/batch/read';
const COMPANY_LINKS = 'POST /crm/v4/associations/contacts/companies/batch/read';

async function pagedPeople(c: HubSpotConnector): Promise<Map<string, CanonicalPerson>> {
  const out = new Map<string, CanonicalPerson>();
  let cursor: string | undefined;
  do {
    const page: Page<CanonicalPerson> = await c.listPeople(cursor);
    for (const p of page.items) out.set(p.crmId, p);
    cursor = page.next;
  } while (cursor !== undefined);
  return out;
}

describe('listPeopleByIds', () => {
  it('reads 250 contacts in 3 batch reads and one company-link read, no search, each as the people pages have it', async () => {
    const c = connector();
    const wanted = ids.slice(0, 250);
    const before = f.emulator.requests.length;
    const people = await c.listPeopleByIds(wanted);
    expect(callsSince(before)).toEqual([BATCH_READ, BATCH_READ, BATCH_READ, COMPANY_LINKS]);
    expect(f.emulator.requests.slice(before).map((r) => r.status)).toEqual([200, 200, 200, 207]);
    expect(people.map((p) => p.crmId).sort()).toEqual([...wanted].sort());

    // Properties, consent, lifecycle outcome and primary company: what the backfill read of them says.
    const paged = await pagedPeople(c);
    for (const p of people) expect(p, p.crmId).toEqual(paged.get(p.crmId));
    // The sample exercises each part: some with a company, some converted, some without a lawful basis.
    expect(people.filter((p) => p.companyId !== undefined).length).toBeGreaterThan(0);
    expect(people.filter((p) => p.companyId === undefined).length).toBeGreaterThan(0);
    expect(people.filter((p) => (p.outcomes ?? []).length > 0).length).toBeGreaterThan(0);
    expect(people.every((p) => p.consent !== undefined && p.outcomes !== undefined)).toBe(true);
    expect(people.filter((p) => p.consent?.profilingAllowed === false).length).toBeGreaterThan(0);
  });

  it('leaves out deleted, unknown and malformed ids without failing the batch', async () => {
    const [kept, deleted] = ids as [string, string];
    const gone = f.portal.get('contacts', deleted);
    if (gone === undefined) throw new Error('seeded contact missing');
    f.portal.archive(gone, f.clock.now());
    const failures: RetryEvent[] = [];
    const c = connector({ onAttemptFailed: (e) => failures.push(e) });
    const before = f.emulator.requests.length;
    const people = await c.listPeopleByIds([deleted, '999999999', kept, 'abc', kept]);
    expect(people.map((p) => p.crmId)).toEqual([kept]);
    // HubSpot answers the missing ones as 207 OBJECT_NOT_FOUND items (hubspot.md §3.4); the malformed
    // id and the duplicate are never sent.
    expect(callsSince(before)).toEqual([BATCH_READ, COMPANY_LINKS]);
    expect(f.emulator.requests[before]?.status).toBe(207);
    expect(failures).toEqual([]);
  });

  it('makes no call when no id names a contact', async () => {
    const c = connector();
    const before = f.emulator.requests.length;
    expect(await c.listPeopleByIds([])).toEqual([]);
    expect(await c.listPeopleByIds(['x', '0012'])).toEqual([]);
    expect(f.emulator.requests.length).toBe(before);
  });

  it('waits for the portal budget and retries a 429 like every other call', async () => {
    const budget = new PortalBudget();
    // Another connector of the portal (a write-back) has used the window up.
    const t0 = f.clock.now();
    while (budget.tryTake('standard', t0));
    f.emulator.faults.add({ kind: 'rate-limit', path: '/crm/v3/objects/contacts/batch/read', count: 1 });
    const failures: RetryEvent[] = [];
    const c = connector({ budget, onAttemptFailed: (e) => failures.push(e) });
    const people = await c.listPeopleByIds(ids.slice(0, 10));
    expect(people).toHaveLength(10);
    expect(f.clock.now() - t0).toBeGreaterThanOrEqual(10_000);
    expect(failures.map((e) => [e.kind, e.error.code, e.decision.retry])).toEqual([
      ['standard', 'rate_limited', true],
    ]);
    expect(f.emulator.requests.filter((r) => r.status === 429)).toHaveLength(1);
  });
});
