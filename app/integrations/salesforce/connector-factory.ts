import {
  ApiBudget,
  createSalesforceConnector,
  type SalesforceConnector,
} from '../../../connectors/salesforce/index.ts';
import type { Tenant } from '../../kit/store/index.ts';
import { SALESFORCE_API_VERSION } from './oauth-client.ts';
import { loadSalesforceSession, salesforceTokenProvider, type SalesforceTokenDeps } from './tokens.ts';

export interface SalesforceConnectorFactoryDeps extends SalesforceTokenDeps {
  readonly sleep: (ms: number) => Promise<void>;
  /** Share of the org's remaining daily allocation leadgate may spend; default 20% (issue 5 item 3). */
  readonly budgetShare?: number;
  /** Emulator-only waits for the schema verification; Salesforce's defaults otherwise. */
  readonly verifyWaitsMs?: readonly number[];
}

export type SalesforceConnectorFor = (tenant: Tenant) => Promise<SalesforceConnector>;

/**
 * Salesforce's daily API allocation is per org and shared by every client (salesforce.md §7), so all
 * connectors of one org share one ApiBudget. The instance URL comes from the stored session, hence
 * the promise. Calls carry `Sforce-Call-Options: client=<our client id>`, which CDC reports back in
 * `changeOrigin` so the subscriber can drop our own writes.
 */
export function createSalesforceConnectorFactory(
  deps: SalesforceConnectorFactoryDeps,
): SalesforceConnectorFor {
  const budgets = new Map<string, ApiBudget>();
  const connectors = new Map<string, Promise<SalesforceConnector>>();
  const build = async (tenant: Tenant): Promise<SalesforceConnector> => {
    const session = await loadSalesforceSession(deps.store, deps.ring, tenant.id);
    if (session === undefined) throw new Error(`tenant ${tenant.id} has no Salesforce session`);
    let budget = budgets.get(tenant.externalId);
    if (budget === undefined) {
      budget = new ApiBudget({
        clock: () => deps.clock.now(),
        ...(deps.budgetShare === undefined ? {} : { share: deps.budgetShare }),
      });
      budgets.set(tenant.externalId, budget);
    }
    return createSalesforceConnector({
      instanceUrl: session.instanceUrl,
      accessToken: salesforceTokenProvider(deps, tenant),
      version: SALESFORCE_API_VERSION,
      clientId: deps.oauth.clientId,
      budget,
      clock: () => deps.clock.now(),
      sleep: deps.sleep,
      integrationUserId: session.userId,
      ...(deps.verifyWaitsMs === undefined ? {} : { verifyWaitsMs: deps.verifyWaitsMs }),
    });
  };
  return (tenant) => {
    if (tenant.crm !== 'salesforce')
      return Promise.reject(new Error(`tenant ${tenant.id} is not Salesforce`));
    let connector = connectors.get(tenant.id);
    if (connector === undefined) {
      connector = build(tenant);
      // A failed build (no session yet) is not cached: the install saves the session and asks again.
      void connector.catch(() => connectors.delete(tenant.id));
      connectors.set(tenant.id, connector);
    }
    return connector;
  };
}
