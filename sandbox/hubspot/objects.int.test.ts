/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   The SDK's documented calling style passes plain object literals for its model classes and string
   literals for its enums; these tests call it exactly as the connector will. */
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addContacts, sdkClient, startFixture, type EmulatorFixture } from './testing.ts';

let f: EmulatorFixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.emulator.close();
});

describe('list paging', () => {
  it('walks every contact with after cursors, 100 at a time', async () => {
    const ids = addContacts(f.portal, 250, f.clock.now());
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await f.client.crm.contacts.basicApi.getPage(100, after, ['email']);
      seen.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  it('gives string values and Date timestamps through the SDK', async () => {
    addContacts(f.portal, 1, f.clock.now());
    const page = await f.client.crm.contacts.basicApi.getPage(1, undefined, ['email', 'firstname']);
    const first = page.results[0]!;
    expect(first.properties.email).toBe('person0@example.com');
    expect(first.createdAt).toBeInstanceOf(Date);
    expect(page.paging).toBeUndefined();
  });

  it('answers 400 for a limit above 100', async () => {
    await expect(f.client.crm.contacts.basicApi.getPage(101)).rejects.toMatchObject({
      code: 400,
      body: { category: 'VALIDATION_ERROR' },
    });
  });

  it('answers 404 OBJECT_NOT_FOUND for an unknown id, with a JSON content type', async () => {
    const res = await fetch(`${f.emulator.url}/crm/v3/objects/contacts/999`, {
      headers: { authorization: `Bearer ${f.accessToken}` },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      correlationId: expect.any(String) as string,
    });
  });

  it('returns lifecycle history newest first', async () => {
    const [id] = addContacts(f.portal, 1, f.clock.now());
    await f.client.crm.contacts.basicApi.update(id!, { properties: { lifecyclestage: 'lead' } });
    await f.clock.advance(60_000);
    await f.client.crm.contacts.basicApi.update(id!, {
      properties: { lifecyclestage: 'salesqualifiedlead' },
    });
    const got = await f.client.crm.contacts.basicApi.getById(
      id!,
      ['lifecyclestage', 'hs_lifecyclestage_salesqualifiedlead_date'],
      ['lifecyclestage'],
    );
    expect(got.properties.lifecyclestage).toBe('salesqualifiedlead');
    expect(got.properties.hs_lifecyclestage_salesqualifiedlead_date).toBe(
      new Date(f.clock.now()).toISOString(),
    );
    expect(got.propertiesWithHistory?.lifecyclestage?.map((v) => v.value)).toEqual([
      'salesqualifiedlead',
      'lead',
    ]);
  });
});

describe('batch', () => {
  it('resolves a 207 with numErrors and errors when one id is unknown', async () => {
    const [a, b] = addContacts(f.portal, 2, f.clock.now());
    const res = await f.client.crm.contacts.batchApi.update({
      inputs: [
        { id: a!, properties: { firstname: 'Ann' } },
        { id: '424242', properties: { firstname: 'Ghost' } },
        { id: b!, properties: { firstname: 'Bob' } },
      ],
    });
    expect('numErrors' in res && res.numErrors).toBe(1);
    expect(res.results.map((r) => r.id).sort()).toEqual([a, b].sort());
    expect('errors' in res && res.errors[0]).toMatchObject({
      category: 'OBJECT_NOT_FOUND',
      context: { ids: ['424242'] },
    });
    expect(f.portal.get('contacts', a!)?.properties.get('firstname')).toBe('Ann');
  });

  it('reports an invalid property value per item in a 207', async () => {
    const [a, b] = addContacts(f.portal, 2, f.clock.now());
    const res = await f.client.crm.contacts.batchApi.update({
      inputs: [
        { id: a!, properties: { lifecyclestage: 'not-a-stage' } },
        { id: b!, properties: { lifecyclestage: 'lead' } },
      ],
    });
    expect('numErrors' in res && res.numErrors).toBe(1);
    expect('errors' in res && res.errors[0]).toMatchObject({
      category: 'VALIDATION_ERROR',
      context: { ids: [a] },
    });
  });

  it('throws ApiException 400 for more than 100 inputs', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({
      id: String(i + 1),
      properties: { firstname: 'x' },
    }));
    await expect(f.client.crm.contacts.batchApi.update({ inputs })).rejects.toMatchObject({
      code: 400,
      body: { status: 'error', category: 'VALIDATION_ERROR' },
    });
  });

  it('upserts by email and says which records are new', async () => {
    addContacts(f.portal, 1, f.clock.now());
    const res = await f.client.crm.contacts.batchApi.upsert({
      inputs: [
        { id: 'person0@example.com', idProperty: 'email', properties: { firstname: 'Old' } },
        { id: 'fresh@example.com', idProperty: 'email', properties: { firstname: 'New' } },
      ],
    });
    expect(res.results.map((r) => [r.properties.email, r._new])).toEqual([
      ['person0@example.com', false],
      ['fresh@example.com', true],
    ]);
  });

  it('rejects a single update with an unknown property as 400 PROPERTY_DOESNT_EXIST', async () => {
    const [a] = addContacts(f.portal, 1, f.clock.now());
    await expect(
      f.client.crm.contacts.basicApi.update(a!, { properties: { testproperty: 'x' } }),
    ).rejects.toMatchObject({
      code: 400,
      body: {
        category: 'VALIDATION_ERROR',
        errors: [{ code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['testproperty'] } }],
      },
    });
  });
});

describe('search', () => {
  it('pages with after and reports the total', async () => {
    addContacts(f.portal, 450, f.clock.now());
    const seen = new Set<string>();
    let after: string | undefined = '0';
    let total = 0;
    while (after !== undefined) {
      const page = await f.client.crm.contacts.searchApi.doSearch({
        filterGroups: [
          {
            filters: [
              { propertyName: 'email', operator: FilterOperatorEnum.ContainsToken, value: '*@example.com' },
            ],
          },
        ],
        sorts: ['createdate'],
        properties: ['email'],
        limit: 200,
        after,
      });
      total = page.total;
      for (const r of page.results) seen.add(r.id);
      after = page.paging?.next?.after;
      await f.clock.advance(250);
    }
    expect(total).toBe(450);
    expect(seen.size).toBe(450);
  });

  it('filters with GTE on lastmodifieddate', async () => {
    const start = f.clock.now();
    addContacts(f.portal, 10, start);
    const page = await f.client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Gte, value: String(start + 7) },
          ],
        },
      ],
      limit: 100,
    });
    expect(page.total).toBe(3);
  });

  it('answers 400 when paging reaches the 10,000-result cap', async () => {
    addContacts(f.portal, 10_050, f.clock.now());
    const page = await f.client.crm.contacts.searchApi.doSearch({ limit: 200, after: '9800' });
    expect(page.total).toBe(10_050);
    expect(page.paging?.next?.after).toBe('10000');
    await f.clock.advance(1_000);
    await expect(
      f.client.crm.contacts.searchApi.doSearch({ limit: 200, after: '10000' }),
    ).rejects.toMatchObject({
      code: 400,
      body: { category: 'VALIDATION_ERROR' },
    });
  });

  it('answers 400 for a page above 200 and for two sorts', async () => {
    await expect(f.client.crm.contacts.searchApi.doSearch({ limit: 201 })).rejects.toMatchObject({
      code: 400,
    });
    await expect(
      f.client.crm.contacts.searchApi.doSearch({ sorts: ['email', 'createdate'] }),
    ).rejects.toMatchObject({ code: 400 });
  });
});

describe('properties', () => {
  it('creates a group and a property with 201, then answers 409 for the same property', async () => {
    const group = await f.client.crm.properties.groupsApi.create('contacts', {
      name: 'leadgate',
      label: 'leadgate',
      displayOrder: -1,
    });
    expect(group.name).toBe('leadgate');
    const body = {
      name: 'leadgate_score',
      label: 'Lead score',
      type: PropertyCreateTypeEnum.Number,
      fieldType: PropertyCreateFieldTypeEnum.Number,
      groupName: 'leadgate',
    };
    const created = await f.client.crm.properties.coreApi.create('contacts', body);
    expect(created.name).toBe('leadgate_score');
    await expect(f.client.crm.properties.coreApi.create('contacts', body)).rejects.toMatchObject({
      code: 409,
      body: { category: 'OBJECT_ALREADY_EXISTS' },
    });
    await expect(
      f.client.crm.properties.groupsApi.create('contacts', { name: 'leadgate', label: 'again' }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('answers 400 for a fieldType that does not fit the type', async () => {
    await expect(
      f.client.crm.properties.coreApi.create('contacts', {
        name: 'bad_pair',
        label: 'x',
        type: PropertyCreateTypeEnum.Number,
        fieldType: PropertyCreateFieldTypeEnum.Textarea,
        groupName: 'contactinformation',
      }),
    ).rejects.toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
  });

  it('validates values written to a new number property', async () => {
    await f.client.crm.properties.coreApi.create('contacts', {
      name: 'leadgate_score',
      label: 'Score',
      type: PropertyCreateTypeEnum.Number,
      fieldType: PropertyCreateFieldTypeEnum.Number,
      groupName: 'contactinformation',
    });
    const [a] = addContacts(f.portal, 1, f.clock.now());
    await expect(
      f.client.crm.contacts.basicApi.update(a!, { properties: { leadgate_score: 'high' } }),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      f.client.crm.contacts.basicApi.update(a!, { properties: { leadgate_score: '87' } }),
    ).resolves.toMatchObject({ properties: { leadgate_score: '87' } });
  });
});

describe('associations v4', () => {
  it('lists the companies of a contact and the contacts of a deal', async () => {
    const company = f.portal.create('companies', new Map([['name', 'Acme']]), {
      at: f.clock.now(),
      silent: true,
    });
    const [contactId] = addContacts(f.portal, 1, f.clock.now());
    await f.client.crm.associations.v4.basicApi.createDefault(
      'contacts',
      contactId!,
      'companies',
      company.id,
    );
    const page = await f.client.crm.associations.v4.basicApi.getPage('contacts', contactId!, 'companies');
    expect(page.results).toEqual([
      {
        toObjectId: company.id,
        associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }],
      },
    ]);
    const back = await f.client.crm.associations.v4.batchApi.getPage('companies', 'contacts', {
      inputs: [{ id: company.id }],
    });
    expect(back.results[0]?.to.map((t) => t.toObjectId)).toEqual([contactId]);
  });
});

describe('errors', () => {
  it('answers 403 MISSING_SCOPES without the scope', async () => {
    const { accessToken } = f.emulator.oauth.issueTokens(f.portal.id, ['oauth', 'crm.objects.contacts.read']);
    await expect(sdkClient(f.emulator.url, accessToken).crm.deals.basicApi.getPage(1)).rejects.toMatchObject({
      code: 403,
      body: { category: 'MISSING_SCOPES' },
    });
  });

  it('answers 501 naming the method and path of an unknown route', async () => {
    await expect(
      f.client.apiRequest({ method: 'GET', path: '/crm/v3/pipelines/deals' }),
    ).resolves.toMatchObject({ status: 501 });
    const res = await fetch(`${f.emulator.url}/crm/v3/pipelines/deals`, { method: 'GET' });
    expect(res.status).toBe(501);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as { message: string }).message).toContain('GET /crm/v3/pipelines/deals');
  });

  it('answers 400 for a malformed JSON body', async () => {
    const res = await fetch(`${f.emulator.url}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.accessToken}`, 'content-type': 'application/json' },
      body: '{"properties":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ category: 'VALIDATION_ERROR' });
  });
});
