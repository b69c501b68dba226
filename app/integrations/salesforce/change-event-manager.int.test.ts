import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../../../test/salesforce-fixture.ts';
import type { LogMeta, Logger } from '../../kit/logging/index.ts';
import { createKeyRing, type KeyRing } from '../../kit/secrets/index.ts';
import type { JobRecord, Store, Tenant } from '../../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../../kit/store/test-support.ts';
import { createCdcManager, type CdcManager } from './change-event-manager.ts';
import { CDC_CURSOR_STREAM } from './change-events.ts';
import { createSalesforceOAuthClient } from './oauth-client.ts';
import { saveSalesforceSession, sessionOf } from './tokens.ts';

/**
 * The manager against the emulator: a subscription that fails (no session yet, or a session that can
 * no longer be renewed) is tried again with a capped backoff until it is live, and not once the tenant
 * is gone or the manager stopped.
 */

let fx: Fixture;
let db: TestDb;
let store: Store;
let ring: KeyRing;
let tenant: Tenant;
let manager: CdcManager | undefined;

beforeEach(async () => {
  fx = await startFixture();
  db = await sqliteFactory.create();
  store = await db.open();
  ring = createKeyRing(randomBytes(32));
  tenant = await store.createTenant({ crm: 'salesforce', externalId: fx.org.id, name: 'Org' }, fx.clock.now);
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
  await store.close();
  await db.destroy();
  await fx.emulator.close();
});

interface Line {
  readonly level: string;
  readonly message: string;
  readonly meta: LogMeta;
}

/** A fresh session of the org in the store, as an install saves it; no refresh token unless asked. */
async function connect(withRefreshToken = false): Promise<string> {
  const issued = fx.org.issueToken({ withRefreshToken });
  const grant = {
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken ?? null,
    instanceUrl: fx.emulator.url,
    orgId: fx.org.id,
    userId: fx.org.userId,
  };
  await saveSalesforceSession(
    store,
    ring,
    tenant.id,
    sessionOf(grant, 'web', null, fx.clock.now),
    fx.clock.now,
  );
  return issued.accessToken;
}

interface Run {
  readonly manager: CdcManager;
  readonly jobs: JobRecord[];
  readonly logs: Line[];
  /** Every wait asked for, in ms. */
  readonly delays: number[];
  /** Lets every wait asked for so far end. */
  readonly release: () => void;
}

function start(): Run {
  const jobs: JobRecord[] = [];
  const logs: Line[] = [];
  const delays: number[] = [];
  const held: (() => void)[] = [];
  const at =
    (level: string) =>
    (message: string, meta: LogMeta = {}): void => {
      logs.push({ level, message, meta });
    };
  const logger: Logger = {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: () => logger,
  };
  const clock = { now: () => fx.clock.now };
  const oauth = createSalesforceOAuthClient({
    clientId: 'leadgate-emulator',
    clientSecret: 'emulator-secret',
    loginUrl: fx.emulator.url,
  });
  const m = createCdcManager({
    store: {
      getTenant: (id) => store.getTenant(id),
      getSyncCursor: (t, stream) => store.getSyncCursor(t, stream),
      setSyncCursor: (c) => store.setSyncCursor(c),
      getCredential: (t, name) => store.getCredential(t, name),
      enqueueJob: async (job, now) => {
        const out = await store.enqueueJob(job, now);
        if (out.created) jobs.push(out.job);
        return out;
      },
    },
    ring,
    clientId: 'leadgate-test',
    clock,
    logger,
    tokens: { store, ring, oauth, clock, audit: () => Promise.resolve() },
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        delays.push(ms);
        held.push(resolve);
      }),
  });
  manager = m;
  return {
    manager: m,
    jobs,
    logs,
    delays,
    release: () => {
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls for up to 3 s; the assertions after it say what is missing. */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 300 && !(await check()); i++) await pause(10);
}

const failures = (run: Run): Line[] => run.logs.filter((l) => /down; resubscribing/.test(l.message));
const newLead = (): string => fx.org.insert('Lead', [{ LastName: 'Lead', Company: 'C' }])[0] ?? '';
const recordIdsOf = (jobs: readonly JobRecord[]): string[] =>
  jobs.flatMap((j) => (j.payload as { recordIds?: string[] }).recordIds ?? []);

describe('createCdcManager', () => {
  it('retries a subscription whose session is missing at first, with a capped backoff, until it receives events', async () => {
    const run = start();
    run.manager.ensure(tenant);
    await until(() => run.delays.length === 1);
    run.release();
    await until(() => run.delays.length === 2);
    expect(fx.emulator.cometdClients()).toBe(0);
    // The org is connected now (the session saved); the next try subscribes.
    const token = await connect();
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
    await connect();
    const run = start();
    run.manager.ensure(tenant);
    await until(() => fx.emulator.cometdClients() === 1);
    fx.org.expireSessions();
    await until(() => run.delays.length === 1);
    expect(failures(run)[0]?.meta['err']).toEqual({ name: 'ConnectorError', message: 'no refresh token' });
    // Reconnected (a new install saved a session): the retry picks it up.
    await connect();
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
    await connect();
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
    await connect();
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
    await connect();
    run.manager.ensure(tenant);
    await until(() => fx.emulator.cometdClients() === 1);
    expect(fx.emulator.cometdClients()).toBe(1);
    expect(run.delays).toHaveLength(1);
  });
});
