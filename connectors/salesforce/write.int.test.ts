import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../types.ts';
import {
  CLIENT_ID,
  scoreWrite,
  seedScoreFields,
  startFixture,
  START,
  type Fixture,
} from '../../test/salesforce-fixture.ts';

let fx: Fixture;
let leadIds: string[];
let contactIds: string[];

beforeEach(async () => {
  fx = await startFixture();
  seedScoreFields(fx.org);
  leadIds = fx.org.insert(
    'Lead',
    Array.from({ length: 300 }, (_, i) => ({ LastName: `L${i}`, Company: 'C' })),
  );
  contactIds = fx.org.insert(
    'Contact',
    Array.from({ length: 150 }, (_, i) => ({ LastName: `C${i}` })),
  );
});
afterEach(async () => {
  await fx.emulator.close();
});

const COLLECTIONS = '/services/data/v64.0/composite/sobjects';
const writesFor = (leads: string[], contacts: string[]) => [
  ...leads.map((id, i) => scoreWrite(id, 'lead', i % 101)),
  ...contacts.map((id, i) => scoreWrite(id, 'contact', (i * 7) % 101)),
];

describe('writeScores', () => {
  it('writes 450 records in 3 Collections calls, one result per write in order', async () => {
    const calls = fx.countRequests('PATCH', COLLECTIONS);
    const writes = writesFor(leadIds, contactIds);
    const results = await fx.connector().writeScores(writes);
    expect(calls()).toBe(3);
    expect(results.map((r) => r.crmId)).toEqual(writes.map((w) => w.crmId));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fx.org.get(leadIds[42]!)).toMatchObject({
      Leadgate_Score__c: 42,
      Leadgate_Tier__c: 'C',
      Leadgate_Fit_Score__c: 21,
      Leadgate_Route__c: 'nurture',
      Leadgate_Confidence__c: 'high',
      Leadgate_Reasons__c: `Reason for ${leadIds[42]!}`,
      Leadgate_Model_Version__c: 'm-1',
      Leadgate_Scored_At__c: START,
    });
    expect(fx.org.get(contactIds[10]!)).toMatchObject({ Leadgate_Score__c: 70, Leadgate_Tier__c: 'B' });
  });

  it('marks a deleted record not_found and writes the others', async () => {
    fx.org.delete('Lead', leadIds[7]!);
    const results = await fx.connector().writeScores(writesFor(leadIds.slice(0, 20), []));
    expect(results[7]).toMatchObject({
      crmId: leadIds[7],
      ok: false,
      error: { code: 'not_found', details: { vendorCode: 'ENTITY_IS_DELETED' } },
    });
    expect(results.filter((r) => r.ok)).toHaveLength(19);
    expect(fx.org.get(leadIds[8]!)?.['Leadgate_Score__c']).toBe(8);
  });

  it('carries the client id on every write, so change events name leadgate as their origin', async () => {
    const before = fx.org.changeEvents().length;
    await fx.connector().writeScores(writesFor(leadIds.slice(0, 250), contactIds.slice(0, 10)));
    const ours = fx.org.changeEvents().slice(before);
    expect(ours.length).toBeGreaterThan(0);
    expect(new Set(ours.flatMap((e) => e.payload.ChangeEventHeader.recordIds))).toEqual(
      new Set([...leadIds.slice(0, 250), ...contactIds.slice(0, 10)]),
    );
    for (const e of ours)
      expect(e.payload.ChangeEventHeader.changeOrigin).toBe(
        `com/salesforce/api/rest/64.0;client=${CLIENT_ID}`,
      );
  });

  it('writes everything, losing nothing, through 5xx answers and dropped connections', async () => {
    // One of each fault first (a rule retires after `count`), then a seeded storm of 503s and drops.
    fx.emulator.faults.add({ kind: 'status', status: 503, method: 'PATCH', path: COLLECTIONS, count: 1 });
    fx.emulator.faults.add({ kind: 'drop', method: 'PATCH', path: COLLECTIONS, count: 1 });
    fx.emulator.faults.add({ kind: 'status', status: 502, method: 'PATCH', path: COLLECTIONS, count: 1 });
    fx.emulator.faults.add({
      kind: 'status',
      status: 503,
      method: 'PATCH',
      path: COLLECTIONS,
      probability: 0.3,
      seed: 11,
    });
    fx.emulator.faults.add({ kind: 'drop', method: 'PATCH', path: COLLECTIONS, probability: 0.3, seed: 3 });
    const retries: string[] = [];
    const connector = fx.connector({
      retryPolicy: { maxAttempts: 12, baseMs: 500, capMs: 30_000 },
      onRetry: (e) => retries.push(e.error.code),
    });
    const writes = writesFor(leadIds, contactIds);
    const results = await connector.writeScores(writes);
    expect(results.every((r) => r.ok)).toBe(true);
    for (const [i, w] of writes.entries()) {
      expect(fx.org.get(w.crmId)?.['Leadgate_Score__c']).toBe(w.fields.score);
      expect(results[i]?.crmId).toBe(w.crmId);
    }
    const fired = fx.emulator.faults.firedCounts();
    expect(fired.slice(0, 3)).toEqual([1, 1, 1]); // a 503, a dropped socket and a 502 HTML page
    expect(retries.length).toBe(fired.reduce((a, b) => a + b, 0));
    expect(new Set(retries)).toEqual(new Set(['unavailable']));
    // Backoff waited through the injected sleep, exponentially (rng fixed at 0.5).
    expect(fx.sleeps[0]).toBe(250);
  });

  it('retries GETs itself too: jsforce built-in retries are off (one request per attempt)', async () => {
    // Fault rules are exclusive (the first match fires), so the counter sees only the request that got through.
    fx.emulator.faults.add({ kind: 'status', status: 500, method: 'GET', path: /\/query/, count: 2 });
    const passed = fx.countRequests('GET', /\/query/);
    const page = await fx.connector().listCompanies();
    expect(page.items).toEqual([]);
    expect(fx.emulator.faults.firedCounts()[0]).toBe(2);
    expect(passed()).toBe(1);
    expect(fx.sleeps).toEqual([250, 500]);
  });

  it('fetches a fresh token and retries once when the session expired (INVALID_SESSION_ID)', async () => {
    const connector = fx.connector();
    await connector.writeScores(writesFor(leadIds.slice(0, 1), []));
    fx.org.expireSessions();
    const results = await connector.writeScores(writesFor(leadIds.slice(0, 3), []));
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('gives up with unavailable when the faults outlast the retry policy', async () => {
    fx.emulator.faults.add({ kind: 'status', status: 503, method: 'PATCH', path: COLLECTIONS });
    const error = await fx
      .connector({ retryPolicy: { maxAttempts: 3, baseMs: 10, capMs: 100 } })
      .writeScores(writesFor(leadIds.slice(0, 5), []))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({
      code: 'unavailable',
      details: { vendorCode: 'SERVER_UNAVAILABLE', status: 503 },
    });
  });
});
