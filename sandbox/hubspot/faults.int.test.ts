/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   The SDK's documented calling style passes plain object literals for its model classes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, type EmulatorFixture } from './testing.ts';

let f: EmulatorFixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.emulator.close();
});

describe('faults', () => {
  it('surfaces an injected 5xx as an ApiException, then recovers', async () => {
    f.emulator.faults.add({ kind: 'status', status: 503, path: '/crm/v3/objects/*', count: 1 });
    await expect(f.client.crm.contacts.basicApi.getPage(1)).rejects.toMatchObject({
      code: 503,
      body: { status: 'error' },
    });
    await expect(f.client.crm.contacts.basicApi.getPage(1)).resolves.toBeDefined();
  });

  it('surfaces an HTML 502 with its raw body', async () => {
    f.emulator.faults.add({ kind: 'status', status: 502, html: true, count: 1 });
    await expect(f.client.crm.contacts.basicApi.getPage(1)).rejects.toMatchObject({ code: 502 });
  });

  it('surfaces a dropped connection as a rejected call', async () => {
    f.emulator.faults.add({ kind: 'drop', method: 'GET', count: 1 });
    const error = await f.client.crm.contacts.basicApi.getPage(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: unknown }).code).not.toBe(200);
    expect(f.emulator.requests.at(-1)?.status).toBe(0);
  });

  it('answers a 429 storm for exactly its count, only on the targeted portal', async () => {
    const other = f.emulator.portals.create();
    f.emulator.faults.add({ kind: 'rate-limit', portalId: f.portal.id, count: 3 });
    for (let i = 0; i < 3; i++) {
      await expect(f.client.crm.contacts.basicApi.getPage(1)).rejects.toMatchObject({
        code: 429,
        body: { policyName: 'TEN_SECONDLY_ROLLING' },
      });
    }
    const res = await fetch(`${f.emulator.url}/crm/v3/objects/contacts?limit=1`, {
      headers: { authorization: `Bearer ${other.privateAppToken}` },
    });
    expect(res.status).toBe(200);
    await expect(f.client.crm.contacts.basicApi.getPage(1)).resolves.toBeDefined();
  });

  it('answers 423 Locked for batch writes while a lock fault is on', async () => {
    const handle = f.emulator.faults.add({ kind: 'lock', path: '/crm/v3/objects/*/batch/**' });
    await expect(f.client.crm.contacts.batchApi.update({ inputs: [] })).rejects.toMatchObject({ code: 423 });
    expect(handle.fired).toBe(1);
    f.emulator.faults.remove(handle);
    await expect(f.client.crm.contacts.batchApi.update({ inputs: [] })).resolves.toBeDefined();
  });

  it('delays an answer by the injected latency on the emulator clock', async () => {
    f.emulator.faults.add({ kind: 'latency', latencyMs: 5_000, count: 1 });
    let settled = false;
    const call = f.client.crm.contacts.basicApi.getPage(1).finally(() => {
      settled = true;
    });
    await f.clock.waitForTimer();
    await f.clock.advance(4_000);
    expect(settled).toBe(false);
    await f.clock.advance(1_000);
    await expect(call).resolves.toBeDefined();
  });

  it('fires probabilistic faults the same way for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      const g = await startFixture();
      g.emulator.faults.add({ kind: 'status', status: 500, probability: 0.3 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        statuses.push(
          await g.client.crm.contacts.basicApi.getPage(1).then(
            () => 200,
            (e: unknown) => (e as { code: number }).code,
          ),
        );
      }
      await g.emulator.close();
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });
});
