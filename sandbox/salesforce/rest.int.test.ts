import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type OrgHandle, type SalesforceEmulator } from './index.ts';

let emulator: SalesforceEmulator;
let org: OrgHandle;
let conn: jsforce.Connection;
let now = Date.parse('2026-03-02T10:00:00Z');

const newConn = (accessToken: string, callOptions?: Record<string, string>) =>
  new jsforce.Connection({
    instanceUrl: emulator.url,
    accessToken,
    version: '64.0',
    ...(callOptions ? { callOptions } : {}),
  });

beforeAll(async () => {
  emulator = await startSalesforceEmulator({ clock: () => now });
  org = emulator.createOrg({ dailyApiLimit: 100_000 });
  const leads = Array.from({ length: 450 }, (_, i) => ({
    LastName: `Lead${String(i).padStart(3, '0')}`,
    Company: i % 2 === 0 ? 'Acme' : 'Beta Corp',
    Email: `lead${i}@example.com`,
    NumberOfEmployees: i,
  }));
  org.insert('Lead', leads);
  conn = newConn(org.issueToken().accessToken);
});

afterAll(async () => {
  await emulator.close();
});

describe('query paging', () => {
  it('returns nextRecordsUrl batches that queryMore follows when batchSize is set', async () => {
    const first = await conn.request<{
      totalSize: number;
      done: boolean;
      nextRecordsUrl?: string;
      records: unknown[];
    }>({
      method: 'GET',
      url: '/services/data/v64.0/query?q=' + encodeURIComponent('SELECT Id FROM Lead'),
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    expect(first.totalSize).toBe(450);
    expect(first.records).toHaveLength(200);
    expect(first.done).toBe(false);
    expect(first.nextRecordsUrl).toMatch(/^\/services\/data\/v64\.0\/query\/01g\w+-200$/);
    const second = await conn.queryMore(first.nextRecordsUrl ?? '');
    expect(second.records).toHaveLength(200);
    const third = await conn.queryMore(second.nextRecordsUrl ?? '');
    expect(third.records).toHaveLength(50);
    expect(third.done).toBe(true);
  });

  it('fetches every batch with autoFetch', async () => {
    const many = Array.from({ length: 2100 }, (_, i) => ({ Name: `Account ${i}` }));
    org.insert('Account', many);
    const result = await conn.query('SELECT Id, Name FROM Account', { autoFetch: true, maxFetch: 5000 });
    expect(result.records).toHaveLength(2100);
    expect(result.done).toBe(true);
  });

  it('answers records with attributes and Salesforce datetime format', async () => {
    const r = await conn.query<{
      Id: string;
      CreatedDate: string;
      attributes: { type: string; url: string };
    }>("SELECT Id, CreatedDate FROM Lead WHERE LastName = 'lead001'");
    expect(r.records).toHaveLength(1);
    const rec = r.records[0]!;
    expect(rec.Id).toMatch(/^00Q\w{15}$/);
    expect(rec.attributes).toEqual({ type: 'Lead', url: `/services/data/v64.0/sobjects/Lead/${rec.Id}` });
    expect(rec.CreatedDate).toBe('2026-03-02T10:00:00.000+0000');
  });
});

describe('SOQL subset', () => {
  const count = async (where: string): Promise<number> =>
    (await conn.query(`SELECT Id FROM Lead WHERE ${where}`)).totalSize;

  it.each([
    ["Company = 'acme'", 225],
    ["Company != 'Acme'", 225],
    ['NumberOfEmployees < 10', 10],
    ['NumberOfEmployees >= 440', 10],
    ["NumberOfEmployees <= 1 OR Company LIKE 'Beta%'", 226],
    ["(NumberOfEmployees < 10 OR NumberOfEmployees > 445) AND Company = 'Acme'", 7],
    ["LastName IN ('Lead000', 'Lead001', 'nobody')", 2],
    ["LastName NOT IN ('Lead000')", 449],
    ["Email LIKE 'lead1_@example.com'", 10],
    ['Title = null', 450],
    ['CreatedDate > 2026-03-01T00:00:00Z', 450],
    ['CreatedDate < 2026-03-02T10:00:00+01:00', 0],
    ['NOT NumberOfEmployees < 440', 10],
  ])('filters %s', async (where, expected) => {
    expect(await count(where)).toBe(expected);
  });

  it('orders and limits', async () => {
    const r = await conn.query<{ NumberOfEmployees: number }>(
      'SELECT NumberOfEmployees FROM Lead ORDER BY NumberOfEmployees DESC LIMIT 3',
    );
    expect(r.records.map((x) => x.NumberOfEmployees)).toEqual([449, 448, 447]);
  });

  it.each([
    ['SELECT COUNT() FROM Lead', 'MALFORMED_QUERY'],
    ['SELECT Id FROM Lead GROUP BY Company', 'MALFORMED_QUERY'],
    ["SELECT Id FROM Lead WHERE Company = 'a' AND LastName = 'b' OR Email = null", 'MALFORMED_QUERY'],
    ['SELECT Id FROM Lead WHERE CreatedDate = TODAY', 'MALFORMED_QUERY'],
    ['SELECT Owner.Name FROM Lead', 'MALFORMED_QUERY'],
    ['SELECT Id FROM Lead WHERE', 'MALFORMED_QUERY'],
    ['SELECT Foo__c FROM Lead', 'INVALID_FIELD'],
    ['SELECT Id FROM Lead ORDER BY Nope', 'INVALID_FIELD'],
    ['SELECT Id FROM Widget', 'INVALID_TYPE'],
    ["SELECT Id FROM Lead WHERE NumberOfEmployees = '3'", 'INVALID_QUERY_FILTER_OPERATOR'],
  ])('refuses %s with %s', async (soql, errorCode) => {
    await expect(conn.query(soql)).rejects.toMatchObject({ errorCode });
  });

  it('points at the offending column like Salesforce', async () => {
    const err: unknown = await conn.query('SELECT Id, Foo__c FROM Lead').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect((err as Error).message).toContain(
      "ERROR at Row:1:Column:12\nNo such column 'Foo__c' on entity 'Lead'",
    );
  });
});

describe('sObject Collections', () => {
  it('reports a bad id as a per-item failure without throwing', async () => {
    const [a, b] = org.insert('Lead', [
      { LastName: 'One', Company: 'X' },
      { LastName: 'Two', Company: 'X' },
    ]);
    org.delete('Lead', b!);
    const results = await conn.sobject('Lead').update([
      { Id: a!, Title: 'CTO' },
      { Id: b!, Title: 'CEO' },
      { Id: '00Qbad', Title: 'VP' },
    ]);
    expect(results[0]).toEqual({ id: a, success: true, errors: [] });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED' }] });
    expect(results[2]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'MALFORMED_ID', fields: ['Id'] }],
    });
    expect(org.get(a!)?.['Title']).toBe('CTO');
  });

  it('rolls back every record when allOrNone and one fails', async () => {
    const [a] = org.insert('Lead', [{ LastName: 'Three', Company: 'X' }]);
    const results = await conn.sobject('Lead').update(
      [
        { Id: a!, Title: 'Changed' },
        { Id: a!.replace(/^00Q/, '003'), Title: 'Wrong type' },
      ],
      { allOrNone: true },
    );
    expect(results[0]).toMatchObject({
      id: a,
      success: false,
      errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }],
    });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'MALFORMED_ID' }] });
    expect(org.get(a!)?.['Title']).toBeNull();
  });

  it('refuses more than 200 records in one call', async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({ LastName: `Bulk${i}`, Company: 'Y' }));
    await expect(conn.sobject('Lead').create(records)).rejects.toMatchObject({
      errorCode: 'EXCEEDED_ID_LIMIT',
    });
  });

  it('creates records and reports missing required fields per item', async () => {
    const results = await conn
      .sobject('Lead')
      .create([{ LastName: 'Made', Company: 'Z' }, { LastName: 'NoCompany' }]);
    expect(results[0]).toMatchObject({ success: true });
    expect(results[0]?.id).toMatch(/^00Q/);
    expect(results[1]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Company'] }],
    });
  });

  it('fails the whole call for an unknown field', async () => {
    const [a] = org.insert('Lead', [{ LastName: 'Four', Company: 'X' }]);
    await expect(conn.sobject('Lead').update([{ Id: a!, Nope__c: 1 }])).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
  });
});

describe('single records', () => {
  it('gets, patches and answers ENTITY_IS_DELETED after delete', async () => {
    const created = await conn.sobject('Contact').create({ LastName: 'Solo', Email: 'solo@example.com' });
    const id = created.id!;
    await conn.sobject('Contact').update({ Id: id, Title: 'Boss' });
    const rec = await conn.sobject('Contact').retrieve(id);
    expect(rec).toMatchObject({ Id: id, Title: 'Boss', LastName: 'Solo' });
    await conn.sobject('Contact').destroy(id);
    await expect(
      conn.request(
        { method: 'GET', url: `/services/data/v64.0/sobjects/Contact/${id}` },
        { retry: { maxRetries: 0 } },
      ),
    ).rejects.toMatchObject({ errorCode: 'ENTITY_IS_DELETED' });
  });

  it('bumps SystemModstamp and LastModifiedDate on update', async () => {
    const [id] = org.insert('Lead', [{ LastName: 'Stamp', Company: 'S' }]);
    now += 60_000;
    await conn.sobject('Lead').update({ Id: id!, Title: 'New' });
    const rec = await conn.sobject('Lead').retrieve(id!);
    expect(rec['SystemModstamp']).toBe('2026-03-02T10:01:00.000+0000');
    expect(rec['LastModifiedDate']).toBe('2026-03-02T10:01:00.000+0000');
    expect(rec['CreatedDate']).toBe('2026-03-02T10:00:00.000+0000');
  });

  it('marks converted leads', async () => {
    const [id] = org.insert('Lead', [{ LastName: 'Convert', Company: 'Conv Inc' }]);
    const result = org.convertLead(id!);
    const r = await conn.query<{
      IsConverted: boolean;
      ConvertedContactId: string;
      ConvertedOpportunityId: string;
    }>(`SELECT IsConverted, ConvertedContactId, ConvertedOpportunityId FROM Lead WHERE Id = '${id!}'`);
    expect(r.records[0]).toMatchObject({
      IsConverted: true,
      ConvertedContactId: result.contactId,
      ConvertedOpportunityId: result.opportunityId,
    });
  });

  it('refuses any update to a converted Lead, alone and inside Collections, and leaves it unchanged', async () => {
    const [converted, open] = org.insert('Lead', [
      { LastName: 'Done', Company: 'Conv Two', Title: 'Before' },
      { LastName: 'Open', Company: 'Conv Two' },
    ]);
    const { contactId } = org.convertLead(converted!);
    const stamp = org.get(converted!)?.['SystemModstamp'];
    now += 60_000;
    await expect(conn.sobject('Lead').update({ Id: converted!, Title: 'After' })).rejects.toMatchObject({
      errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
      message: 'cannot reference converted lead',
    });
    const raw = await fetch(`${emulator.url}/services/data/v64.0/sobjects/Lead/${converted!}`, {
      method: 'PATCH',
      headers: {
        Authorization: `Bearer ${org.issueToken().accessToken}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ Title: 'After' }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual([
      { errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead', fields: [] },
    ]);
    const results = await conn.request<unknown[]>({
      method: 'PATCH',
      url: '/services/data/v64.0/composite/sobjects',
      body: JSON.stringify({
        allOrNone: false,
        records: [
          { attributes: { type: 'Lead' }, id: converted!, Title: 'After' },
          { attributes: { type: 'Lead' }, id: open!, Title: 'After' },
          { attributes: { type: 'Contact' }, id: contactId, Title: 'After' },
        ],
      }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(results).toEqual([
      {
        success: false,
        errors: [
          {
            statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
            message: 'cannot reference converted lead',
            fields: [],
          },
        ],
      },
      { id: open!, success: true, errors: [] },
      { id: contactId, success: true, errors: [] },
    ]);
    expect(org.get(converted!)).toMatchObject({ Title: 'Before', SystemModstamp: stamp });
    expect(() => {
      org.update('Lead', converted!, { Title: 'After' });
    }).toThrow('cannot reference converted lead');
  });
});

describe('describe, versions, limits', () => {
  it('lists versions without a session', async () => {
    const res = await fetch(`${emulator.url}/services/data`);
    const body = (await res.json()) as { version: string }[];
    expect(body.map((v) => v.version)).toContain('64.0');
  });

  it('describes Lead with typed fields', async () => {
    const d = await conn.sobject('Lead').describe();
    expect(d.keyPrefix).toBe('00Q');
    expect(d.fields.find((f) => f.name === 'NumberOfEmployees')?.type).toBe('int');
    expect(d.fields.find((f) => f.name === 'SystemModstamp')?.type).toBe('datetime');
  });

  it('reports the allocation in /limits and Sforce-Limit-Info', async () => {
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(100_000);
    expect(conn.limitInfo.apiUsage?.limit).toBe(100_000);
    expect(conn.limitInfo.apiUsage?.used).toBe(org.apiUsage().used);
  });

  it('counts one API call per request', async () => {
    const before = org.apiUsage().used;
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    expect(org.apiUsage().used).toBe(before + 1);
  });
});

describe('unknown routes', () => {
  it('answers 501 naming method and path', async () => {
    const err: unknown = await conn
      .request({ method: 'POST', url: '/services/data/v64.0/composite/tree/Lead', body: '{}' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ errorCode: 'NOT_IMPLEMENTED' });
    expect((err as Error).message).toContain('POST /services/data/v64.0/composite/tree/Lead');
  });
});
