/**
 * Test-only: what the change-event tests of this folder start from (change-events.int.test.ts,
 * change-event-manager.int.test.ts): the Salesforce emulator with one org (test/salesforce-fixture.ts),
 * a fresh SQLite store, a key ring and the org's tenant; the org's session saved on demand, as an
 * install saves it; a logger that keeps its lines; and waits that end only when the test says so.
 */
import { randomBytes } from 'node:crypto';
import { startFixture, type Fixture } from '../../../../test/salesforce-fixture.ts';
import type { LogMeta, Logger } from '../../../kit/logging/index.ts';
import { createKeyRing, type KeyRing } from '../../../kit/secrets/index.ts';
import type { JobRecord, Store, Tenant } from '../../../kit/store/index.ts';
import { sqliteFactory } from '../../../kit/store/test-support.ts';
import type { CdcStore } from '../change-events.ts';
import { saveSalesforceSession, sessionOf } from '../tokens.ts';

/** Where a session is saved: the org's emulator, and the tenant's store and key ring. */
export interface SessionTarget {
  readonly fx: Fixture;
  readonly store: Store;
  readonly ring: KeyRing;
  readonly tenantId: string;
}

/**
 * A fresh session of the org in the store, as an install (web flow) saves it; no refresh token unless
 * asked, so a test can let it expire for good. Returns the access token.
 */
export async function saveEmulatorSession(
  { fx, store, ring, tenantId }: SessionTarget,
  withRefreshToken = false,
): Promise<string> {
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
    tenantId,
    sessionOf(grant, 'web', null, fx.clock.now),
    fx.clock.now,
  );
  return issued.accessToken;
}

export interface CdcFixture {
  readonly fx: Fixture;
  readonly store: Store;
  readonly ring: KeyRing;
  /** The org's tenant, active, with no session until `connect`. */
  readonly tenant: Tenant;
  /** saveEmulatorSession for the tenant. */
  connect(withRefreshToken?: boolean): Promise<string>;
  /** Closes the store and the emulator (stop subscriptions first: they use both). */
  stop(): Promise<void>;
}

export async function startCdcFixture(): Promise<CdcFixture> {
  const fx = await startFixture();
  const db = await sqliteFactory.create();
  const store = await db.open();
  const ring = createKeyRing(randomBytes(32));
  const tenant = await store.createTenant(
    { crm: 'salesforce', externalId: fx.org.id, name: 'Org' },
    fx.clock.now,
  );
  return {
    fx,
    store,
    ring,
    tenant,
    connect: (withRefreshToken) =>
      saveEmulatorSession({ fx, store, ring, tenantId: tenant.id }, withRefreshToken),
    stop: async () => {
      await store.close();
      await db.destroy();
      await fx.emulator.close();
    },
  };
}

/** The store a change-event subscription uses: the real one, keeping each job it creates in `jobs`. */
export function recordingCdcStore(store: Store, jobs: JobRecord[]): CdcStore {
  return {
    getSyncCursor: (t, stream) => store.getSyncCursor(t, stream),
    setSyncCursor: (c) => store.setSyncCursor(c),
    getCredential: (t, name) => store.getCredential(t, name),
    enqueueJob: async (job, now) => {
      const out = await store.enqueueJob(job, now);
      if (out.created) jobs.push(out.job);
      return out;
    },
  };
}

/** A line a recording logger kept. */
export interface Line {
  readonly level: string;
  readonly message: string;
  readonly meta: LogMeta;
}

/** A logger that appends every line to `lines` (the tests check what is logged, and what is not). */
export function recordingLogger(lines: Line[]): Logger {
  const at =
    (level: string) =>
    (message: string, meta: LogMeta = {}): void => {
      lines.push({ level, message, meta });
    };
  const logger: Logger = {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: () => logger,
  };
  return logger;
}

/** A sleep for retry backoffs whose waits end only when the test releases them. */
export interface HeldWaits {
  readonly sleep: (ms: number) => Promise<void>;
  /** Every wait asked for, in ms. */
  readonly delays: number[];
  /** Lets every wait asked for so far end. */
  readonly release: () => void;
}

export function heldWaits(): HeldWaits {
  const delays: number[] = [];
  const held: (() => void)[] = [];
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        delays.push(ms);
        held.push(resolve);
      }),
    delays,
    release: () => {
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

/** A real-time pause: CometD delivers over real sockets, with no clock to move. */
export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every record id the jobs name, in order. */
export const recordIdsOf = (jobs: readonly Pick<JobRecord, 'payload'>[]): string[] =>
  jobs.flatMap((j) => (j.payload as { recordIds?: string[] }).recordIds ?? []);
