import type { Tenant } from '../../kit/store/index.ts';
import type { CrmIntegration, IntegrationContext } from '../types.ts';
import { createCdcManager } from './change-event-manager.ts';
import { createSalesforceConnectorFactory, type SalesforceConnectorFor } from './connector-factory.ts';
import { salesforceInstallRoutes } from './install-routes.ts';
import {
  createSalesforceOAuthClient,
  type SalesforceOAuthClient,
  type SalesforceOAuthSettings,
} from './oauth-client.ts';

/** The connected app, plus the share of the org's daily allocation we may spend and emulator-only waits. */
export type SalesforceSettings = SalesforceOAuthSettings & {
  /** Share of the org's remaining daily API allocation leadgate may spend; default 20%. */
  readonly budgetShare?: number;
  /** Emulator-only waits of the schema verification; Salesforce's defaults otherwise. */
  readonly verifyWaitsMs?: readonly number[];
};

export interface SalesforceIntegration extends CrmIntegration {
  readonly kind: 'salesforce';
  readonly oauth: SalesforceOAuthClient;
  readonly connectorFor: SalesforceConnectorFor;
}

/**
 * Salesforce on our side: the web-server flow with PKCE (/install/salesforce), change events (CDC over
 * CometD) for every connected org, and one connector per org sharing the org's API budget. `settings`
 * overrides SALESFORCE_CLIENT_ID/SECRET (the sandbox passes the emulator's app and host); with neither,
 * Salesforce is not offered and nothing is mounted.
 */
export function salesforceIntegration(
  ctx: IntegrationContext,
  settings?: SalesforceSettings,
): SalesforceIntegration | undefined {
  const chosen = settings ?? (ctx.config.salesforce === null ? undefined : { ...ctx.config.salesforce });
  if (chosen === undefined) return undefined;
  const oauth = createSalesforceOAuthClient(chosen);
  const tokens = { store: ctx.store, ring: ctx.ring, oauth, clock: ctx.clock, audit: ctx.audit };
  const connectorFor = createSalesforceConnectorFactory({
    ...tokens,
    sleep: ctx.sleep,
    ...(chosen.budgetShare === undefined ? {} : { budgetShare: chosen.budgetShare }),
    ...(chosen.verifyWaitsMs === undefined ? {} : { verifyWaitsMs: chosen.verifyWaitsMs }),
  });
  const cdc = createCdcManager({
    store: ctx.store,
    ring: ctx.ring,
    clientId: oauth.clientId,
    clock: ctx.clock,
    logger: ctx.logger,
    tokens,
  });
  const install = salesforceInstallRoutes({
    store: ctx.store,
    ring: ctx.ring,
    oauth,
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit,
    publicUrl: ctx.publicUrl,
    connectorFor,
    // A newly connected org subscribes to its change events at once, without waiting for a restart.
    onConnected: (tenant: Tenant) => {
      cdc.ensure(tenant);
    },
  });
  return {
    kind: 'salesforce',
    oauth,
    connectorFor,
    routers: [install],
    // Orgs connected before this start subscribe now. Several processes may each subscribe: jobs are
    // keyed by replay id, and a second process batching differently at worst refetches records whose
    // unchanged scores write nothing.
    start: async () => {
      for (const tenant of await ctx.store.listTenants()) cdc.ensure(tenant);
    },
    stop: () => {
      cdc.stopAll();
      return Promise.resolve();
    },
  };
}
