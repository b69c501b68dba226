/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   The SDK's documented calling style passes plain object literals for its model classes. */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, type EmulatorFixture } from './testing.ts';
import type { WebhookEvent } from './webhooks.ts';

interface Received {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

let f: EmulatorFixture;
let receiver: Server;
let targetUrl: string;
let received: Received[];
let answers: number[];

beforeEach(async () => {
  f = await startFixture();
  received = [];
  answers = [];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot`;
  f.emulator.webhooks.configure({
    targetUrl,
    subscriptions: [
      { subscriptionType: 'contact.creation' },
      { subscriptionType: 'contact.propertyChange', propertyName: 'firstname' },
      { subscriptionType: 'contact.deletion' },
      { subscriptionType: 'contact.privacyDeletion' },
    ],
  });
});
afterEach(async () => {
  await f.emulator.close();
  await new Promise<void>((resolve) =>
    receiver.close(() => {
      resolve();
    }),
  );
});

/** Lets the batching delay pass and waits for the deliveries it starts. */
async function deliver(ms = 1_000): Promise<void> {
  const between = (): Promise<void> => f.emulator.webhooks.idle();
  await f.clock.advance(ms, { between });
  await between();
}

const events = (r: Received | undefined): WebhookEvent[] => JSON.parse(r?.body ?? '[]') as WebhookEvent[];

describe('webhook delivery', () => {
  it('posts a v3-signed batch that verifies over the raw bytes', async () => {
    await f.client.crm.contacts.basicApi.create({
      properties: { email: 'new@example.com' },
      associations: [],
    });
    await deliver();
    expect(received).toHaveLength(1);
    const r = received[0]!;
    const timestamp = String(r.headers['x-hubspot-request-timestamp']);
    expect(timestamp).toBe(String(f.clock.now()));
    const expected = createHmac('sha256', f.emulator.app.clientSecret)
      .update(`POST${targetUrl}${r.body}${timestamp}`)
      .digest('base64');
    expect(r.headers['x-hubspot-signature-v3']).toBe(expected);
    expect(events(r)).toMatchObject([
      {
        subscriptionType: 'contact.creation',
        portalId: f.portal.id,
        appId: f.emulator.app.appId,
        attemptNumber: 0,
        changeFlag: 'NEW',
      },
    ]);
  });

  it('sends property changes, deletions and privacy deletions of contacts', async () => {
    const c = await f.client.crm.contacts.basicApi.create({
      properties: { email: 'a@example.com' },
      associations: [],
    });
    await f.client.crm.contacts.basicApi.update(c.id, {
      properties: { firstname: 'Ann', lastname: 'Unwatched' },
    });
    await f.client.crm.contacts.basicApi.archive(c.id);
    const d = await f.client.crm.contacts.basicApi.create({
      properties: { email: 'b@example.com' },
      associations: [],
    });
    await f.client.crm.contacts.basicApi.purge({ objectId: d.id });
    await deliver();
    expect(
      events(received[0]).map((e) => [e.subscriptionType, e.objectId, e.propertyName, e.propertyValue]),
    ).toEqual([
      ['contact.creation', Number(c.id), undefined, undefined],
      ['contact.propertyChange', Number(c.id), 'firstname', 'Ann'],
      ['contact.deletion', Number(c.id), undefined, undefined],
      ['contact.creation', Number(d.id), undefined, undefined],
      ['contact.privacyDeletion', Number(d.id), undefined, undefined],
    ]);
  });

  it('splits more than 100 events into batches of at most 100', async () => {
    for (const n of [100, 50]) {
      await f.client.crm.contacts.batchApi.create({
        inputs: Array.from({ length: n }, (_, i) => ({
          properties: { email: `p${n}-${i}@example.com` },
          associations: [],
        })),
      });
    }
    await deliver();
    expect(received.map((r) => events(r).length)).toEqual([100, 50]);
  });

  it('retries a failed batch with a growing delay and a rising attemptNumber', async () => {
    answers = [500, 503];
    await f.client.crm.contacts.basicApi.create({ properties: { email: 'r@example.com' }, associations: [] });
    await deliver();
    expect(received).toHaveLength(1);
    await deliver(30_000);
    expect(received).toHaveLength(1);
    await deliver(60_000);
    expect(received).toHaveLength(2);
    await deliver(3 * 60_000);
    expect(received.map((r) => events(r)[0]?.attemptNumber)).toEqual([0, 1, 2]);
    await deliver(24 * 3_600_000);
    expect(received).toHaveLength(3);
  });

  it('gives up after 10 retries', async () => {
    answers = Array.from({ length: 20 }, () => 500);
    await f.client.crm.contacts.basicApi.create({ properties: { email: 'x@example.com' }, associations: [] });
    await deliver();
    for (let hour = 0; hour < 30; hour++) await deliver(3_600_000);
    expect(received).toHaveLength(11);
    expect(events(received[10])[0]?.attemptNumber).toBe(10);
  });
});
