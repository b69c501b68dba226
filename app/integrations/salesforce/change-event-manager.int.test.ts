import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fixture } from '../../../test/salesforce-fixture.ts';
import type { KeyRing } from '../../kit/secrets/index.ts';
import type { JobRecord, Store, Tenant } from '../../kit/store/index.ts';
import { createCdcManager, type CdcManager } from './change-event-manager.ts';
import { CDC_CURSOR_STREAM } from './change-events.ts';
import { createSalesforceOAuthClient } from './oauth-client.ts';
import {
  heldWaits,
  pause,
  recordIdsOf,
  recordingCdcStore,
  recordingLogger,
  startCdcFixture,
  type CdcFixture,
  type HeldWaits,
  type Line,
} from './testdata/cdc-fixture.ts';

/**
 * The manager against the emulator: a subscription that fails (no session yet, or a session that can
 * no longer be renewed) is tried again with a capped backoff until it is live, and not once the tenant
 * is gone or the manager stopped.
 */

let cdc: CdcFixture;
let fx: Fixture;
let store: Store;
let ring: KeyRing;
let tenant: Tenant;
let manager: CdcManager | undefined;

beforeEach(async () => {
  cdc = await startCdcFixture();
  ({ fx, store, ring, tenant } = cdc);
  // Handled up to an earlier change: a subscription replays from there, so a Lead inserted once the
  // client is connected reaches it however the handshake and the subscribe interleave with the insert.
  fx.org.insert('Lead', [{ LastName: 'Before', Company: 'C' }]);
  await store.setSyncCursor({
    tenantId: tenant.id,
    stream: CDC_CURSOR_STREAM,
    cursor: String(fx.org.changeEvents().at(-1)?.replayId ?? 0),
    updatedAt: fx.clock.now,
  });
});

afterEach(async () => {
  manager?.stopAll();
  manager = undefined;
  await cdc.stop();
});

/** The manager, what it queued and logged, and its backoff waits (released by the test). */
interface Run extends Pick<HeldWaits, 'delays' | 'release'> {
  readonly manager: CdcManager;
  readonly jobs: JobRecord[];
  readonly logs: Line[];
}

function start(): Run {
  const jobs: JobRecord[] = [];
  const logs: Line[] = [];
  const waits = heldWaits();
  const clock = { now: () => fx.clock.now };
  const oauth = createSalesforceOAuthClient({
    clientId: 'leadgate-emulator',
    clientSecret: 'emulator-secret',
    loginUrl: fx.emulator.url,
  });
  const m = createCdcManager({
    store: { ...recordingCdcStore(store, jobs), getTenant: (id) => store.getTenant(id) },
    ring,
    clientId: 'leadgate-test',
    clock,
    logger: recordingLogger(logs),
    tokens: { store, ring, oauth, clock, audit: () => Promise.resolve() },
    sleep: waits.sleep,
  });
  manager = m;
  return { manager: m, jobs, logs, delays: waits.delays, release: waits.release };
}

/** Polls for up to 3 s; the assertions after it say what is missing. */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 300 && !(await check()); i++) await pause(10);
}

const failures = (run: Run): Line[] => run.logs.filter((l) => /down; resubscribing/.test(l.message));
const newLead = (): string => fx.org.insert('Lead', [{ LastName: 'Lead', Company: 'C' }])[0] ?? '';

describe('createCdcManager', () => {
  it('retries a subscription whose session is missing at first, with a capped backoff, until it receives events', async () => {
    const run = start();
    run.manager.ensure(tenant);
    await until(() => run.delays.length === 1);
    run.release();
    await until(() => run.delays.length === 2);
    expect(fx.emulator.cometdClients()).toBe(0);
    // The org is connected now (the session saved); the next try subscribes.
    const token = await cdc.connect();
    run.release();
    await until(() => fx.emulator.cometdClients() === 1);
    const lead = newLead();
    await until(() => recordIdsOf(run.jobs).includes(lead));

    expect(recordIdsOf(run.jobs)).toEqual([lead]);
    expect(run.delays).toEqual([2_000, 4_000]);
    // Each failure is logged with the tenant, the attempt, the wait and what failed; never a token.
    expect(failures(run).map((l) => l.meta)).toEqual([
      {
        tenantId: tenant.id,
        attempt: 1,
        retryInMs: 2_000,
        err: { name: 'Error', message: `tenant ${tenant.id} has no Salesforce session` },
      },
      {
        tenantId: tenant.id,
        attempt: 2,
        retryInMs: 4_000,
        err: { name: 'Error', message: `tenant ${tenant.id} has no Salesforce session` },
      },
    ]);
    expect(JSON.stringify(run.logs)).not.toContain(token);
  });

  it('doubles the wait up to 5 minutes while the subscription keeps failing', async () => {
    const run = start();
    run.manager.ensure(tenant);
    for (let n = 1; n <= 10; n++) {
      await until(() => run.delays.length === n);
      run.release();
    }
    expect(run.delays).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000,
    ]);
  });

  it('subscribes again when a live subscription stops by itself (its session could not be renewed)', async () => {
    // No refresh token: once the session expires the live stream cannot re-handshake and stops.
    await cdc.connect();
    const run = start();
    run.manager.ensure(tenant);
    await until(() => fx.emulator.cometdClients() === 1);
    fx.org.expireSessions();
    await until(() => run.delays.length === 1);
    expect(failures(run)[0]?.meta['err']).toEqual({ name: 'ConnectorError', message: 'no refresh token' });
    // Reconnected (a new install saved a session): the retry picks it up.
    await cdc.connect();
    run.release();
    await until(() => fx.emulator.cometdClients() === 1);
    const lead = newLead();
    await until(() => recordIdsOf(run.jobs).includes(lead));
    expect(recordIdsOf(run.jobs)).toEqual([lead]);
  });

  it('stops retrying once the tenant is no longer active', async () => {
    const run = start();
    run.manager.ensure(tenant);
    await until(() => run.delays.length === 1);
    await store.setTenantStatus(tenant.id, 'uninstalled');
    await cdc.connect();
    run.release();
    await pause(200);
    expect(run.delays).toHaveLength(1);
    expect(failures(run)).toHaveLength(1);
    expect(fx.emulator.cometdClients()).toBe(0);
  });

  it('stops retrying when the manager stops, without waiting for the backoff', async () => {
    const run = start();
    run.manager.ensure(tenant);
    await until(() => run.delays.length === 1);
    await cdc.connect();
    run.manager.stopAll();
    // The wait is not released: stopAll ends it.
    await pause(200);
    run.release();
    await pause(200);
    expect(run.delays).toHaveLength(1);
    expect(fx.emulator.cometdClients()).toBe(0);
  });

  it('subscribes at once when ensure() is called for a tenant waiting for its next try', async () => {
    const run = start();
    run.manager.ensure(tenant);
    await until(() => run.delays.length === 1);
    // A new install connected the org: no need to wait out the backoff.
    await cdc.connect();
    run.manager.ensure(tenant);
    await until(() => fx.emulator.cometdClients() === 1);
    expect(fx.emulator.cometdClients()).toBe(1);
    expect(run.delays).toHaveLength(1);
  });
});
