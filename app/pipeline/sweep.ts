import type { EpochMs } from '../../connectors/index.ts';
import type { Store } from '../kit/store/index.ts';
import { peopleChanged } from './people-changed.ts';
import { readProgress } from './progress.ts';

/**
 * The incremental sweep (issue 4, item 4): webhooks are the fast path, but HubSpot drops deliveries
 * after its retries and Salesforce has none, so every interval each active tenant whose backfill is
 * done gets one `incremental` job. The idempotency key names the time slot, so any number of
 * processes sharing one database enqueue it once per slot, with no leader election.
 */

export type SweepStore = Pick<Store, 'listTenants' | 'getSyncCursor' | 'enqueueJob'>;

/** Injected so tests drive time by hand; the default is setInterval. */
export interface SweepTimer {
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export interface SweepDeps {
  store: SweepStore;
  clock: () => EpochMs;
  intervalMs: number;
  timer?: SweepTimer;
  /** A failed sweep is retried by the next slot; this only reports it. */
  onError?: (error: unknown) => void;
}

export interface SweepResult {
  slot: number;
  /** Tenants that got a new job from this call (a job another process enqueued for the slot is not counted). */
  enqueued: string[];
}

export const realTimer: SweepTimer = {
  every(ms, tick) {
    const handle = setInterval(tick, ms);
    return () => {
      clearInterval(handle);
    };
  },
};

export function sweepKey(slot: number): string {
  return `incremental:sweep:${slot}`;
}

/** One pass: enqueue the slot's incremental job for every tenant that is active and past its backfill. */
export async function sweepOnce(deps: Omit<SweepDeps, 'timer' | 'onError'>): Promise<SweepResult> {
  const now = deps.clock();
  const slot = Math.floor(now / deps.intervalMs);
  const enqueued: string[] = [];
  for (const tenant of await deps.store.listTenants()) {
    // Suspended or uninstalled tenants have no usable tokens; a running backfill already reads
    // everything and sets the incremental cursor itself, so a sweep before it ends would be wasted.
    if (tenant.status !== 'active') continue;
    const backfill = await readProgress(deps.store, tenant.id, 'pipeline:backfill');
    if (backfill.doneAt === null) continue;
    const { created } = await deps.store.enqueueJob(
      {
        tenantId: tenant.id,
        type: 'incremental',
        payload: peopleChanged({ source: 'sweep' }),
        idempotencyKey: sweepKey(slot),
      },
      now,
    );
    if (created) enqueued.push(tenant.id);
  }
  return { slot, enqueued };
}

export interface Sweep {
  /** Runs one pass now (also what the timer calls); overlapping calls share the running pass. */
  tick(): Promise<SweepResult | undefined>;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

export function startIncrementalSweep(deps: SweepDeps): Sweep {
  const timer = deps.timer ?? realTimer;
  let running: Promise<SweepResult | undefined> | undefined;
  const tick = (): Promise<SweepResult | undefined> => {
    running ??= sweepOnce(deps)
      .catch((error: unknown) => {
        deps.onError?.(error);
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const cancel = timer.every(deps.intervalMs, () => {
    void tick();
  });
  return {
    tick,
    async stop() {
      cancel();
      await running;
    },
  };
}
