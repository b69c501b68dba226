import jsforce from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type OrgHandle, type SalesforceEmulator } from './index.ts';

let emulator: SalesforceEmulator;
let orgA: OrgHandle;
let orgB: OrgHandle;

const conn = (org: OrgHandle) =>
  new jsforce.Connection({
    instanceUrl: emulator.url,
    accessToken: org.issueToken().accessToken,
    version: '64.0',
  });
// jsforce retries GETs on 5xx with 0.5–8 s sleeps; tests turn that off per call.
const noRetry = { retry: { maxRetries: 0 } };
const get = (c: jsforce.Connection, soql: string) =>
  c.request({ method: 'GET', url: `/services/data/v64.0/query?q=${encodeURIComponent(soql)}` }, noRetry);

beforeEach(async () => {
  emulator = await startSalesforceEmulator();
  orgA = emulator.createOrg();
  orgB = emulator.createOrg();
});

afterEach(async () => {
  await emulator.close();
});

describe('faults', () => {
  it('answers a counted 503 for one org and route, then recovers', async () => {
    emulator.faults.add({
      kind: 'status',
      status: 503,
      orgId: orgA.id,
      method: 'PATCH',
      path: /\/composite\/sobjects$/,
      count: 1,
    });
    const [id] = orgA.insert('Lead', [{ LastName: 'F', Company: 'F' }]);
    const a = conn(orgA);
    await expect(a.sobject('Lead').update([{ Id: id!, Title: 'x' }])).rejects.toMatchObject({
      errorCode: 'SERVER_UNAVAILABLE',
    });
    const [ok] = await a.sobject('Lead').update([{ Id: id!, Title: 'x' }]);
    expect(ok?.success).toBe(true);
  });

  it('leaves other orgs alone', async () => {
    emulator.faults.add({ kind: 'status', status: 500, orgId: orgA.id });
    await expect(get(conn(orgA), 'SELECT Id FROM Lead')).rejects.toMatchObject({
      errorCode: 'UNKNOWN_EXCEPTION',
    });
    await expect(get(conn(orgB), 'SELECT Id FROM Lead')).resolves.toMatchObject({ totalSize: 0 });
  });

  it('drops the connection', async () => {
    emulator.faults.add({ kind: 'drop', path: '/services/data/v64.0/query', count: 1 });
    await expect(get(conn(orgA), 'SELECT Id FROM Lead')).rejects.toThrow();
    await expect(get(conn(orgA), 'SELECT Id FROM Lead')).resolves.toMatchObject({ totalSize: 0 });
  });

  it('fires a seeded probability the same way every run', async () => {
    const pattern = async (): Promise<boolean[]> => {
      emulator.faults.clear();
      emulator.faults.add({ kind: 'status', status: 503, probability: 0.5, seed: 42 });
      const c = conn(orgA);
      const out: boolean[] = [];
      for (let i = 0; i < 10; i += 1)
        out.push(
          await get(c, 'SELECT Id FROM Lead').then(
            () => true,
            () => false,
          ),
        );
      return out;
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);
  });

  it('adds latency without changing the answer', async () => {
    emulator.faults.add({ kind: 'latency', latencyMs: 5, count: 1 });
    await expect(get(conn(orgA), 'SELECT Id FROM Lead')).resolves.toMatchObject({ totalSize: 0 });
    expect(emulator.faults.firedCounts()).toEqual([1]);
  });

  it('answers the concurrent-request limit as a 403 REQUEST_LIMIT_EXCEEDED', async () => {
    emulator.faults.add({ kind: 'concurrent-limit', count: 1 });
    await expect(get(conn(orgA), 'SELECT Id FROM Lead')).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
    });
    await expect(get(conn(orgA), 'SELECT Id FROM Lead')).resolves.toMatchObject({ totalSize: 0 });
  });

  it('commits a write whose answer is dropped on the way back', async () => {
    const [id] = orgA.insert('Lead', [{ LastName: 'F', Company: 'F' }]);
    emulator.faults.add({ kind: 'drop-after', method: 'PATCH', path: /\/composite\/sobjects$/, count: 1 });
    await expect(
      conn(orgA)
        .sobject('Lead')
        .update([{ Id: id!, Title: 'landed' }]),
    ).rejects.toThrow();
    expect(orgA.get(id!)?.['Title']).toBe('landed');
  });

  it('fails chosen Collections items with their statusCode and writes the others', async () => {
    const ids = orgA.insert('Lead', [
      { LastName: 'A', Company: 'A' },
      { LastName: 'B', Company: 'B' },
      { LastName: 'C', Company: 'C' },
    ]);
    emulator.faults.addRecordFault({
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Title is locked for this lead',
      ids: [ids[1]!.slice(0, 15)],
    });
    emulator.faults.addRecordFault({
      statusCode: 'UNABLE_TO_LOCK_ROW',
      message: 'unable to obtain exclusive access to this record or 1 records',
      count: 1,
    });
    const results = await conn(orgA)
      .sobject('Lead')
      .update(ids.map((Id) => ({ Id, Title: 'x' })));
    expect(results.map((r) => r.success)).toEqual([false, false, true]);
    // Collections items carry statusCode, not errorCode (salesforce.md §3).
    expect(results[0]?.errors).toEqual([
      expect.objectContaining({ statusCode: 'UNABLE_TO_LOCK_ROW' }) as unknown,
    ]);
    expect(results[1]?.errors).toEqual([
      expect.objectContaining({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' }) as unknown,
    ]);
    expect(orgA.get(ids[0]!)?.['Title']).toBeNull();
    expect(orgA.get(ids[2]!)?.['Title']).toBe('x');
    expect(emulator.faults.recordFiredCounts()).toEqual([1, 1]);
  });
});
