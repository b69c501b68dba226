import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePortal } from '../../sandbox/generator/index.ts';
import { addContacts, startFixture, type EmulatorFixture } from '../../sandbox/hubspot/testing.ts';
import type { CanonicalPerson, Connector, Page, ScoreFields, ScoreWrite } from '../types.ts';
import type { HubSpotConnectorOptions } from './connector.ts';
import type { RetryEvent } from './client.ts';
import { HUBSPOT_SCOPES } from './scopes.ts';
import { LEADGATE_PROPERTIES } from './schema.ts';
import { emulatorConnector } from './testdata/emulator-connector.ts';

let f: EmulatorFixture;

beforeEach(async () => {
  f = await startFixture(HUBSPOT_SCOPES);
});
afterEach(async () => {
  await f.emulator.close();
});

/** The real connector on this file's emulator, on its clock (testdata/emulator-connector.ts). */
const connector = (extra: Partial<HubSpotConnectorOptions> = {}): Connector => emulatorConnector(f, extra);

async function all<T>(list: (cursor?: string) => Promise<Page<T>>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor);
    pages++;
    items.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined);
  return { items, pages };
}

const requests = (pathPart: string): number =>
  f.emulator.requests.filter((r) => r.path.includes(pathPart)).length;

const fields = (i: number): ScoreFields => ({
  score: i % 101,
  tier: (['A', 'B', 'C', 'D'] as const)[i % 4] ?? 'D',
  fitScore: 40.5,
  engagementScore: null,
  route: 'sdr',
  confidence: 'medium',
  reasons: `Visited the pricing page ${i} times`,
  modelVersion: 'm-1',
  scoredAt: Date.UTC(2025, 5, 1),
});

const writesFor = (ids: readonly string[]): ScoreWrite[] =>
  ids.map((crmId, i) => ({ crmId, objectType: 'contact', fields: fields(i) }));

describe('ensureSchema', () => {
  it('creates the leadgate group and properties with their types, and is idempotent', async () => {
    const c = connector();
    await c.ensureSchema();
    await c.ensureSchema();
    const defs = f.portal.propertyDefs('contacts');
    for (const spec of LEADGATE_PROPERTIES) {
      const def = defs.get(spec.name);
      expect(def, spec.name).toMatchObject({
        type: spec.type,
        fieldType: spec.fieldType,
        groupName: 'leadgate',
      });
      if (spec.options !== undefined) expect(def?.options.map((o) => o.value)).toEqual(spec.options);
    }
    expect(f.portal.groupDefs('contacts').has('leadgate')).toBe(true);
    expect(f.emulator.requests.filter((r) => r.status >= 400)).toEqual([]);
  });

  it('treats a 409 on create (a racing installer) as done', async () => {
    await connector().ensureSchema();
    // Groups and properties exist; a second connector that skipped the GET would get 409s.
    const racing = f.emulator.faults.add({
      kind: 'status',
      status: 409,
      method: 'POST',
      path: '/crm/v3/properties/**',
    });
    await connector().ensureSchema();
    expect(racing.fired).toBe(0);
  });
});

describe('backfill', () => {
  it('pages every contact exactly once with company links and consent, and companies, events, outcomes', async () => {
    const data = generatePortal({ contacts: 1_000, seed: 11 });
    const seeded = f.emulator.portals.seed(f.portal.id, data);
    const c = connector();

    const people = await all((cur) => c.listPeople(cur));
    expect(people.pages).toBe(10);
    expect(people.items).toHaveLength(1_000);
    expect(new Set(people.items.map((p) => p.crmId)).size).toBe(1_000);
    const byId = new Map(people.items.map((p) => [p.crmId, p]));
    for (const contact of data.contacts) {
      const person = byId.get(seeded.contacts.get(contact.id) ?? '') as CanonicalPerson;
      expect(person.properties.email).toBe(contact.email);
      expect(person.companyId).toBe(
        contact.companyId === null ? undefined : seeded.companies.get(contact.companyId),
      );
    }

    const companies = await all((cur) => c.listCompanies(cur));
    expect(companies.items.map((x) => x.crmId).sort()).toEqual([...seeded.companies.values()].sort());

    const events = await all((cur) => c.listEvents(cur));
    expect(events.items).toHaveLength(seeded.engagements + seeded.events);
    expect(new Set(events.items.map((e) => e.sourceId)).size).toBe(events.items.length);
    expect(events.items.every((e) => byId.has(e.personId))).toBe(true);
    const types = new Set(events.items.map((e) => e.type));
    expect(types).toEqual(new Set(data.events.map((e) => e.type)));

    const outcomes = await all((cur) => c.listOutcomes(cur));
    const deals = outcomes.items.filter((o) => o.type === 'deal_created');
    expect(deals).toHaveLength(data.deals.length);
    const converted = new Set(
      data.lifecycleChanges
        .filter((l) => ['salesqualifiedlead', 'opportunity', 'customer', 'evangelist'].includes(l.stage))
        .map((l) => seeded.contacts.get(l.contactId)),
    );
    const lifecycle = outcomes.items.filter((o) => o.type === 'lifecycle_sql_or_later');
    expect(new Set(lifecycle.map((o) => o.personId))).toEqual(converted);

    // Consent comes with the people pages; the consent stream is one empty page and no call.
    for (const contact of data.contacts) {
      const person = byId.get(seeded.contacts.get(contact.id) ?? '');
      expect(person?.consent?.profilingAllowed).toBe(
        contact.consent.lawfulBasis !== 'none' && !contact.consent.emailOptOut,
      );
    }
    const requests = f.emulator.requests.length;
    const consent = await all((cur) => c.listConsent(cur));
    expect(consent).toMatchObject({ items: [], pages: 1 });
    expect(f.emulator.requests.length).toBe(requests);
    expect(f.emulator.requests.filter((r) => r.status >= 400)).toEqual([]);
  });
});

describe('listPeopleChangedSince', () => {
  it('returns exactly the contacts changed since a time, oldest first, with company links', async () => {
    const data = generatePortal({ contacts: 300, seed: 5 });
    const seeded = f.emulator.portals.seed(f.portal.id, data);
    await f.clock.advance(60_000);
    const since = f.clock.now();
    const ids = [...seeded.contacts.values()];
    const changed = [ids[3], ids[150], ids[299]] as string[];
    for (const [i, id] of changed.entries()) {
      await f.clock.advance(1_000);
      const obj = f.portal.get('contacts', id);
      if (obj === undefined) throw new Error('seeded contact missing');
      f.portal.update(obj, new Map([['jobtitle', `Changed ${i}`]]), { at: f.clock.now() });
    }
    const c = connector();
    const result = await all((cur) => c.listPeopleChangedSince(since, cur));
    expect(result.items.map((p) => p.crmId)).toEqual(changed);
    const withCompany = data.contacts.find((x) => seeded.contacts.get(x.id) === changed[0]);
    expect(result.items[0]?.companyId).toBe(
      withCompany?.companyId == null ? undefined : seeded.companies.get(withCompany.companyId),
    );
  });

  it('returns every one of 10,250 changed contacts once, across the 10,000-result cap, at ≤ 5 searches/s', async () => {
    const start = f.clock.now();
    const ids = addContacts(f.portal, 10_250, start - 20_000); // one per millisecond
    const c = connector();
    const result = await all((cur) => c.listPeopleChangedSince(start - 20_000, cur));
    expect(result.items).toHaveLength(10_250);
    expect(new Set(result.items.map((p) => p.crmId))).toEqual(new Set(ids));
    const searches = f.emulator.requests.filter((r) => r.path.endsWith('/search'));
    expect(searches.filter((r) => r.status !== 200).map((r) => [r.status, r.at])).toEqual([]);
    expect(searches.length).toBeGreaterThanOrEqual(52);
  });
});

describe('writeScores', () => {
  it('writes 250 scores in 3 batch calls, visible as HubSpot string properties', async () => {
    const ids = addContacts(f.portal, 250, f.clock.now());
    const c = connector();
    await c.ensureSchema();
    const results = await c.writeScores(writesFor(ids));
    expect(results).toEqual(ids.map((crmId) => ({ crmId, ok: true })));
    expect(requests('/batch/update')).toBe(3);
    const stored = f.portal.get('contacts', ids[7] ?? '');
    expect(stored?.properties.get('leadgate_score')).toBe('7');
    expect(stored?.properties.get('leadgate_tier')).toBe('D');
    expect(stored?.properties.get('leadgate_fit_score')).toBe('40.5');
    expect(stored?.properties.get('leadgate_reasons')).toBe('Visited the pricing page 7 times');
    expect(Date.parse(stored?.properties.get('leadgate_scored_at') ?? '')).toBe(Date.UTC(2025, 5, 1));
  });

  it('reports a deleted or unknown contact as not_found and writes the others', async () => {
    const ids = addContacts(f.portal, 5, f.clock.now());
    const c = connector();
    await c.ensureSchema();
    const writes = writesFor([ids[0] ?? '', '999999999', ids[1] ?? '']);
    const results = await c.writeScores(writes);
    expect(results.map((r) => [r.crmId, r.ok, r.ok ? null : r.error.code])).toEqual([
      [ids[0], true, null],
      ['999999999', false, 'not_found'],
      [ids[1], true, null],
    ]);
    expect(f.portal.get('contacts', ids[1] ?? '')?.properties.get('leadgate_tier')).toBe('C');
  });

  it('ends with every score written and none lost through 5xx, dropped connections and a 429 storm', async () => {
    const ids = addContacts(f.portal, 1_000, f.clock.now());
    const c0 = connector();
    await c0.ensureSchema();
    const path = '/crm/v3/objects/contacts/batch/update';
    f.emulator.faults.add({ kind: 'status', status: 502, html: true, path, count: 2 });
    f.emulator.faults.add({ kind: 'status', status: 503, path, probability: 0.2 });
    f.emulator.faults.add({ kind: 'drop', path, count: 2 });
    f.emulator.faults.add({ kind: 'rate-limit', path, count: 3 });
    const failures: RetryEvent[] = [];
    const c = connector({ onAttemptFailed: (e) => failures.push(e) });
    const results = await c.writeScores(writesFor(ids));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results).toHaveLength(1_000);
    for (const [i, id] of ids.entries())
      expect(f.portal.get('contacts', id)?.properties.get('leadgate_score')).toBe(String(i % 101));
    const codes = new Set(failures.map((e) => e.error.code));
    expect(codes).toEqual(new Set(['unavailable', 'rate_limited']));
    expect(failures.every((e) => e.decision.retry)).toBe(true);
  });

  it('stays under the emulator limit in a burst: 10,000 writes, 100 calls, no 429', async () => {
    const ids = addContacts(f.portal, 10_000, f.clock.now());
    const c = connector();
    await c.ensureSchema();
    const before = f.emulator.requests.length;
    const t0 = f.clock.now();
    const results = await c.writeScores(writesFor(ids));
    const calls = f.emulator.requests.slice(before);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(calls).toHaveLength(100);
    expect(calls.filter((r) => r.status === 429)).toEqual([]);
    // ensureSchema's 12 calls and these 100 do not fit one 100-per-10 s window: the budget waited
    // once for the window to roll, and a second burst fits behind it.
    const again = await c.writeScores(writesFor(ids.slice(0, 2_000)));
    expect(again.every((r) => r.ok)).toBe(true);
    expect(f.emulator.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(f.clock.now() - t0).toBeGreaterThanOrEqual(10_000);
    expect(f.clock.now() - t0).toBeLessThan(20_000);
  });

  it('maps a revoked token to unauthorized without retrying', async () => {
    const ids = addContacts(f.portal, 1, f.clock.now());
    const c = connector();
    await c.ensureSchema();
    f.emulator.oauth.revoke(f.portal.id);
    await expect(c.writeScores(writesFor(ids))).rejects.toMatchObject({ code: 'unauthorized' });
    expect(requests('/batch/update')).toBe(1);
  });
});
