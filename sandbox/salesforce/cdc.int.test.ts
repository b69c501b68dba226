import jsforce from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type ChangeEventHeader,
  type OrgHandle,
  type SalesforceEmulator,
} from './index.ts';

interface CdcMessage {
  payload: { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown>;
  event: { replayId: number };
}

let emulator: SalesforceEmulator;
let org: OrgHandle;
let now = Date.parse('2026-03-02T10:00:00Z');
const clients: { disconnect(): void }[] = [];

beforeEach(async () => {
  emulator = await startSalesforceEmulator({ clock: () => now });
  org = emulator.createOrg();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await emulator.close();
});

const connection = (callOptions?: Record<string, string>) =>
  new jsforce.Connection({
    instanceUrl: emulator.url,
    accessToken: org.issueToken().accessToken,
    version: '64.0',
    ...(callOptions ? { callOptions } : {}),
  });

/** Subscribes through jsforce's Faye client with the replay extension; resolves once subscribed. */
async function subscribe(
  channel: string,
  replayFrom: number,
  onEvent: (m: CdcMessage) => void,
): Promise<void> {
  const client = connection().streaming.createClient([new StreamingExtension.Replay(channel, replayFrom)]);
  // jsforce's bundled Faye typings omit disconnect(), which the Faye client has.
  clients.push(client as unknown as { disconnect(): void });
  const subscription = client.subscribe(channel, (m: unknown) => {
    onEvent(m as CdcMessage);
  });
  // A Faye subscription settles once the server answers /meta/subscribe.
  await subscription.then(undefined, (err: unknown) => {
    throw err instanceof Error ? err : new Error(JSON.stringify(err));
  });
}

describe('change events over CometD', () => {
  it('delivers an UPDATE with changedFields and the writer client id in changeOrigin', async () => {
    const [leadId] = org.insert('Lead', [{ LastName: 'Watched', Company: 'W' }]);
    const events: CdcMessage[] = [];
    await subscribe('/data/LeadChangeEvent', -1, (m) => events.push(m));
    now += 1000;
    await connection({ client: 'leadgate' }).sobject('Lead').update({ Id: leadId!, Title: 'VP Sales' });
    await waitFor(() => events.length === 1);
    const m = events[0]!;
    expect(m.payload.ChangeEventHeader).toMatchObject({
      entityName: 'Lead',
      recordIds: [leadId],
      changeType: 'UPDATE',
      changedFields: ['Title', 'LastModifiedDate'],
      changeOrigin: 'com/salesforce/api/rest/64.0;client=leadgate',
      commitUser: org.userId,
      commitTimestamp: now,
    });
    expect(m.payload['Title']).toBe('VP Sales');
    expect(m.payload).not.toHaveProperty('SystemModstamp');
    expect(m.event.replayId).toBeGreaterThan(0);
  });

  it('replays retained events from -2 and from a stored replay id', async () => {
    org.insert('Contact', [{ LastName: 'A' }, { LastName: 'B' }, { LastName: 'C' }]);
    const all: CdcMessage[] = [];
    const fromSecond: CdcMessage[] = [];
    await subscribe('/data/ContactChangeEvent', -2, (m) => all.push(m));
    await waitFor(() => all.length === 3);
    const second = all[1]?.event.replayId ?? 0;
    await subscribe('/data/ContactChangeEvent', second, (m) => fromSecond.push(m));
    await waitFor(() => fromSecond.length === 1);
    expect(all.map((m) => m.payload['LastName'])).toEqual(['A', 'B', 'C']);
    expect(fromSecond[0]?.payload['LastName']).toBe('C');
  });

  it('refuses a replay id older than the 72-hour retention', async () => {
    org.insert('Account', [{ Name: 'Old' }]);
    const oldReplayId = org.changeEvents()[0]?.replayId ?? 0;
    now += 73 * 60 * 60 * 1000;
    org.insert('Account', [{ Name: 'New' }]);
    await expect(subscribe('/data/AccountChangeEvent', oldReplayId - 1, () => undefined)).rejects.toThrow(
      /replayId/,
    );
  });

  it('refuses an unknown channel', async () => {
    await expect(subscribe('/data/WidgetChangeEvent', -1, () => undefined)).rejects.toThrow(/does not exist/);
  });
});

async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(done()).toBe(true);
}
