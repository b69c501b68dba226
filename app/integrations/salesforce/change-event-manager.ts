import type { Logger } from '../../kit/logging/index.ts';
import type { Tenant } from '../../kit/store/index.ts';
import { subscribeSalesforceCdc, type CdcDeps, type CdcSubscription } from './change-events.ts';
import { salesforceTokenProvider, type SalesforceTokenDeps } from './tokens.ts';

export interface CdcManager {
  /** Subscribes an active Salesforce tenant once; others are ignored. */
  ensure(tenant: Tenant): void;
  stopAll(): void;
}

/** One change-event subscription per connected org, started and stopped with the runtime's worker. */
export function createCdcManager(
  deps: Omit<CdcDeps, 'accessToken' | 'logger'> & {
    readonly logger: Logger;
    readonly tokens: SalesforceTokenDeps;
  },
): CdcManager {
  const subs = new Map<string, CdcSubscription>();
  let stopped = false;
  return {
    ensure: (tenant) => {
      if (stopped || tenant.crm !== 'salesforce' || tenant.status !== 'active' || subs.has(tenant.id)) return;
      const sub = subscribeSalesforceCdc(
        { ...deps, accessToken: salesforceTokenProvider(deps.tokens, tenant) },
        tenant,
      );
      subs.set(tenant.id, sub);
      // The SystemModstamp sweep still finds every change; the fast path is retried on the next start.
      sub.ready.catch((err: unknown) => {
        deps.logger.warn('salesforce change events unavailable', { tenantId: tenant.id, err });
        sub.stop();
        subs.delete(tenant.id);
      });
    },
    stopAll: () => {
      stopped = true;
      for (const sub of subs.values()) sub.stop();
      subs.clear();
    },
  };
}
