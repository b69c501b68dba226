import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePortal } from '../generator/index.ts';
import { EVENT_TYPES } from './routes-events.ts';
import type { SeedResult } from './seed.ts';
import { startFixture, type EmulatorFixture } from './testing.ts';

const data = generatePortal({ seed: 5, contacts: 300 });
let f: EmulatorFixture;
let seeded: SeedResult;

beforeAll(async () => {
  f = await startFixture();
  seeded = f.emulator.portals.seed(f.portal.id, data);
});
afterAll(async () => {
  await f.emulator.close();
});

describe('seedPortal', () => {
  it('loads every contact, company and deal', async () => {
    expect(seeded.contacts.size).toBe(300);
    const all = await f.client.crm.contacts.getAll(100, undefined, ['email']);
    expect(all).toHaveLength(300);
    expect(new Set(all.map((c) => c.properties.email))).toEqual(new Set(data.contacts.map((c) => c.email)));
    expect(f.portal.list('companies')).toHaveLength(data.companies.length);
    expect(f.portal.list('deals')).toHaveLength(data.deals.length);
  });

  it('keeps the creation time and the lifecycle history of a converted contact', async () => {
    const sql = data.lifecycleChanges.find((c) => c.stage === 'salesqualifiedlead')!;
    const contact = data.contacts.find((c) => c.id === sql.contactId)!;
    const got = await f.client.crm.contacts.basicApi.getById(
      seeded.contacts.get(contact.id)!,
      ['createdate', 'lifecyclestage'],
      ['lifecyclestage'],
    );
    expect(got.properties.createdate).toBe(new Date(contact.createdAt).toISOString());
    const history = got.propertiesWithHistory?.lifecyclestage ?? [];
    expect(history.map((v) => v.value)).toContain('salesqualifiedlead');
    const sqlVersion = history.find((v) => v.value === 'salesqualifiedlead')!;
    expect(sqlVersion.timestamp).toEqual(new Date(sql.occurredAt));
  });

  it('associates contacts with their companies', async () => {
    const contact = data.contacts.find((c) => c.companyId !== null)!;
    const page = await f.client.crm.associations.v4.basicApi.getPage(
      'contacts',
      seeded.contacts.get(contact.id)!,
      'companies',
    );
    expect(page.results.map((r) => r.toObjectId)).toEqual([seeded.companies.get(contact.companyId!)]);
  });

  it('serves page views through the Events API', async () => {
    const view = data.events.find((e) => e.type === 'page_view')!;
    const page = await f.client.events.eventsApi.getPage(
      'contact',
      EVENT_TYPES.page_view,
      undefined,
      undefined,
      100,
      undefined,
      undefined,
      undefined,
      Number(seeded.contacts.get(view.contactId)),
    );
    expect(page.results.map((r) => r.id)).toContain(view.sourceId);
  });
});
