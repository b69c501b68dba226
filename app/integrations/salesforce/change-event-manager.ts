import type { Logger } from '../../kit/logging/index.ts';
import type { Store, Tenant } from '../../kit/store/index.ts';
import {
  errorSummary,
  subscribeSalesforceCdc,
  type CdcDeps,
  type CdcStore,
  type CdcSubscription,
} from './change-events.ts';
import { salesforceTokenProvider, type SalesforceTokenDeps } from './tokens.ts';

/**
 * Waits between tries of a subscription that failed: doubling from 2 s (a blip of the network or of
 * the emulator) to 5 minutes, the SystemModstamp sweep's period, which finds every change meanwhile;
 * so a tenant whose org is unreachable for days costs one handshake every 5 minutes.
 */
export const RESUBSCRIBE_BASE_MS = 2_000;
export const RESUBSCRIBE_CAP_MS = 300_000;

/** The wait after `failures` failed subscriptions in a row (1-based). */
export function resubscribeDelayMs(failures: number): number {
  return Math.min(RESUBSCRIBE_CAP_MS, RESUBSCRIBE_BASE_MS * 2 ** Math.min(failures - 1, 30));
}

export interface CdcManager {
  /**
   * Subscribes an active Salesforce tenant once; others are ignored. For a tenant waiting to retry a
   * failed subscription, tries now (a new install has just saved a session).
   */
  ensure(tenant: Tenant): void;
  stopAll(): void;
}

export type CdcManagerDeps = Omit<CdcDeps, 'accessToken' | 'logger' | 'store'> & {
  /** Also reads the tenant before each retry: one no longer active is not retried. */
  readonly store: CdcStore & Pick<Store, 'getTenant'>;
  readonly logger: Logger;
  readonly tokens: SalesforceTokenDeps;
};

/** A tenant the manager keeps subscribed: its live subscription, or how to cut its backoff short. */
interface Entry {
  sub: CdcSubscription | undefined;
  wake: () => void;
}

/**
 * One change-event subscription per connected org, started and stopped with the runtime's worker. A
 * subscription that fails, at the start (no session yet, handshakes refused, Salesforce unreachable)
 * or later (its session could not be renewed), is tried again after `resubscribeDelayMs`, until it is
 * live, the tenant is no longer active or the manager stops. The sweep covers the changes meanwhile.
 */
export function createCdcManager(deps: CdcManagerDeps): CdcManager {
  const entries = new Map<string, Entry>();
  let stopped = false;
  // Read through a call: TypeScript would keep a narrowing of `stopped` across the awaits below.
  const isStopped = (): boolean => stopped;

  /** Waits `ms`, or less when the entry is woken (ensure, stopAll); the default timer is unref'd. */
  const wait = async (entry: Entry, ms: number): Promise<void> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slept =
      deps.sleep?.(ms) ??
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
        timer.unref();
      });
    const woken = new Promise<void>((resolve) => (entry.wake = resolve));
    await Promise.race([slept, woken]);
    clearTimeout(timer);
    entry.wake = () => undefined;
  };

  /**
   * Subscribes once; resolves when the subscription is over (it failed, or stopAll stopped it), with
   * why and whether it had been live.
   */
  const subscribeOnce = async (entry: Entry, tenant: Tenant): Promise<{ error: unknown; live: boolean }> => {
    const sub = subscribeSalesforceCdc(
      { ...deps, accessToken: salesforceTokenProvider(deps.tokens, tenant) },
      tenant,
    );
    entry.sub = sub;
    try {
      await sub.ready;
    } catch (error) {
      sub.stop();
      entry.sub = undefined;
      return { error, live: false };
    }
    const error = await sub.ended;
    sub.stop();
    entry.sub = undefined;
    return { error, live: true };
  };

  const keep = async (entry: Entry, first: Tenant): Promise<void> => {
    let tenant = first;
    let failures = 0;
    for (;;) {
      const { error, live } = await subscribeOnce(entry, tenant);
      // stopAll stopped it.
      if (isStopped()) return;
      // It had been live, so this is a new failure: the backoff starts over.
      if (live) failures = 0;
      failures += 1;
      const retryInMs = resubscribeDelayMs(failures);
      // The tenant id, counts and the error's redacted name and message only: no token, no person.
      deps.logger.warn('salesforce change events down; resubscribing', {
        tenantId: tenant.id,
        attempt: failures,
        retryInMs,
        err: errorSummary(error),
      });
      for (;;) {
        await wait(entry, retryInMs);
        if (isStopped()) return;
        try {
          const current = await deps.store.getTenant(tenant.id);
          if (current?.crm !== 'salesforce' || current.status !== 'active') {
            deps.logger.info('salesforce change events: tenant no longer active; not resubscribing', {
              tenantId: tenant.id,
            });
            return;
          }
          tenant = current;
          break;
        } catch (err) {
          // The store is down: whether the tenant is still active is unknown; ask again after the wait.
          deps.logger.warn('salesforce change events: tenant unreadable; resubscribing later', {
            tenantId: tenant.id,
            retryInMs,
            err: errorSummary(err),
          });
        }
      }
    }
  };

  return {
    ensure: (tenant) => {
      if (stopped || tenant.crm !== 'salesforce' || tenant.status !== 'active') return;
      const known = entries.get(tenant.id);
      if (known !== undefined) {
        known.wake();
        return;
      }
      const entry: Entry = { sub: undefined, wake: () => undefined };
      entries.set(tenant.id, entry);
      void keep(entry, tenant)
        .catch((err: unknown) => {
          deps.logger.error('salesforce change events manager failed', {
            tenantId: tenant.id,
            err: errorSummary(err),
          });
        })
        .finally(() => {
          if (entries.get(tenant.id) === entry) entries.delete(tenant.id);
        });
    },
    stopAll: () => {
      stopped = true;
      for (const entry of entries.values()) {
        entry.sub?.stop();
        entry.wake();
      }
      entries.clear();
    },
  };
}
