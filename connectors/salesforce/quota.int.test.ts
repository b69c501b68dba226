import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, type WriteResult } from '../types.ts';
import {
  drain,
  scoreWrite,
  seedScoreFields,
  startFixture,
  START,
  type Fixture,
} from '../../test/salesforce-fixture.ts';

let fx: Fixture;
let leadIds: string[];

beforeEach(async () => {
  fx = await startFixture(1000);
  seedScoreFields(fx.org);
  leadIds = fx.org.insert(
    'Lead',
    Array.from({ length: 1000 }, (_, i) => ({ LastName: `L${i}`, Company: 'C' })),
  );
});
afterEach(async () => {
  await fx.emulator.close();
});

const NEXT_MIDNIGHT = Date.UTC(2026, 0, 16, 0, 0, 0);
const writes = () => leadIds.map((id, i) => scoreWrite(id, 'lead', i % 101));

describe('API allocation', () => {
  it('stops before spending more than 20% of what remained, and resumes the next day', async () => {
    // 990 of 1,000 calls used: leadgate may use 20% of the 10 left, i.e. 2 calls.
    fx.org.setApiUsage(990);
    const connector = fx.connector({ budget: {} });
    const results = await connector.writeScores(writes());
    expect(fx.org.apiUsage().used).toBe(992);
    expect(results.slice(0, 400).every((r) => r.ok)).toBe(true);
    const stopped = results.slice(400);
    expect(stopped).toHaveLength(600);
    for (const r of stopped) expect(r).toMatchObject({ ok: false, error: { code: 'quota_exhausted' } });
    const error = (stopped[0] as Extract<WriteResult, { ok: false }>).error;
    expect(error.message).toMatch(
      /2 of 2 calls used \(20% of the 10 calls left.*resumes after 2026-01-16T00:00:00.000Z/,
    );
    expect(error.details.retryAfterMs).toBe(NEXT_MIDNIGHT - START);

    // Nothing is called while the budget is spent: the error comes without a request.
    const page = await connector.listPeople().catch((e: unknown) => e);
    expect(page).toMatchObject({ code: 'quota_exhausted' });
    expect(fx.org.apiUsage().used).toBe(992);
    expect(connector.budget.status()).toMatchObject({
      allowance: 2,
      spent: 2,
      exhaustedUntil: NEXT_MIDNIGHT,
    });

    // Past midnight UTC the org's allocation and leadgate's budget start again.
    fx.clock.now = NEXT_MIDNIGHT + 1000;
    const retried = await connector.writeScores(writes().slice(400));
    expect(retried.every((r) => r.ok)).toBe(true);
    for (const [i, id] of leadIds.entries()) expect(fx.org.get(id)?.['Leadgate_Score__c']).toBe(i % 101);
    expect(fx.org.apiUsage()).toEqual({ used: 3, limit: 1000 });
  });

  it('throws quota_exhausted without writing when the first call is over budget', async () => {
    fx.org.setApiUsage(996); // 20% of 4 = 0 calls, known after the first answer
    const connector = fx.connector({ budget: {} });
    await connector.listCompanies(); // the first call of the day learns the usage
    const error = await connector.writeScores(writes().slice(0, 10)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'quota_exhausted' });
    expect(fx.org.apiUsage().used).toBe(997);
  });

  it('maps the org refusing calls (REQUEST_LIMIT_EXCEEDED) to quota_exhausted and stops calling', async () => {
    fx.org.setApiUsage(1000);
    const connector = fx.connector({ budget: { share: 1 } });
    const first = await connector.listPeople().catch((e: unknown) => e);
    expect(first).toMatchObject({
      code: 'quota_exhausted',
      details: { vendorCode: 'REQUEST_LIMIT_EXCEEDED', status: 403 },
    });
    const passed = fx.countRequests('GET', /./);
    const second = await connector.listPeople().catch((e: unknown) => e);
    expect(second).toMatchObject({ code: 'quota_exhausted', details: { vendorCode: 'LEADGATE_BUDGET' } });
    expect(passed()).toBe(0);
    fx.clock.now = NEXT_MIDNIGHT;
    const { items } = await drain((c) => connector.listPeople(c));
    expect(items).toHaveLength(1000);
  });
});
