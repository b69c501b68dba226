/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   The SDK's documented calling style passes plain object literals for its model classes and string
   literals for its enums; these tests call it exactly as the connector will. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, type EmulatorFixture } from './testing.ts';

let f: EmulatorFixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.emulator.close();
});

describe('ten-secondly rolling limit', () => {
  it('answers the 111th request within 10 s with 429 TEN_SECONDLY_ROLLING and the documented headers', async () => {
    for (let i = 0; i < 110; i++) {
      const res = await f.client.crm.contacts.basicApi.getPageWithHttpInfo(1);
      expect(res.httpStatusCode).toBe(200);
      expect(res.headers['x-hubspot-ratelimit-remaining']).toBe(String(109 - i));
    }
    const rejected = await f.client.crm.contacts.basicApi.getPage(1).then(
      () => undefined,
      (error: unknown) =>
        error as { code: number; body: Record<string, unknown>; headers: Record<string, string> },
    );
    expect(rejected?.code).toBe(429);
    expect(rejected?.body).toMatchObject({
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      correlationId: expect.any(String) as string,
    });
    expect(rejected?.headers).toMatchObject({
      'x-hubspot-ratelimit-max': '110',
      'x-hubspot-ratelimit-remaining': '0',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
    });
    expect(rejected?.headers['x-hubspot-ratelimit-daily']).toBeUndefined();
  });

  it('lets requests through again once the window has rolled', async () => {
    for (let i = 0; i < 110; i++) await f.client.crm.contacts.basicApi.getPage(1);
    await expect(f.client.crm.contacts.basicApi.getPage(1)).rejects.toMatchObject({ code: 429 });
    await f.clock.advance(10_001);
    await expect(f.client.crm.contacts.basicApi.getPage(1)).resolves.toBeDefined();
  });

  it('keeps each portal on its own budget', async () => {
    for (let i = 0; i < 110; i++) await f.client.crm.contacts.basicApi.getPage(1);
    const other = f.emulator.portals.create();
    const { accessToken } = f.emulator.oauth.issueTokens(other.id, ['crm.objects.contacts.read']);
    const res = await fetch(`${f.emulator.url}/crm/v3/objects/contacts?limit=1`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.status).toBe(200);
  });
});

describe('search limit', () => {
  it('allows 5 searches per second apart from the burst budget, then answers the secondly-limit 429', async () => {
    for (let i = 0; i < 5; i++) await f.client.crm.contacts.searchApi.doSearch({ limit: 1 });
    await expect(f.client.crm.contacts.searchApi.doSearch({ limit: 1 })).rejects.toMatchObject({
      code: 429,
      body: { message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' },
    });
    const res = await f.client.crm.contacts.basicApi.getPageWithHttpInfo(1);
    expect(res.headers['x-hubspot-ratelimit-remaining']).toBe('109');
    await f.clock.advance(1_001);
    await expect(f.client.crm.contacts.searchApi.doSearch({ limit: 1 })).resolves.toBeDefined();
  });
});
