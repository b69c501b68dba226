import { createHubSpotConnector, PortalBudget } from '../../../connectors/hubspot/index.ts';
import type { Connector } from '../../../connectors/index.ts';
import type { KeyRing } from '../../kit/secrets/index.ts';
import type { AuditAppend } from '../../kit/audit/index.ts';
import type { Clock } from '../../kit/clock.ts';
import type { Tenant } from '../../kit/store/index.ts';
import type { HubSpotOAuthClient } from './oauth-client.ts';
import { hubspotTokenProvider, type TokenStore } from './tokens.ts';

export interface ConnectorFactoryDeps {
  readonly store: TokenStore;
  readonly ring: KeyRing;
  readonly hubspot: HubSpotOAuthClient;
  readonly clock: Clock;
  readonly audit: AuditAppend;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type ConnectorFor = (tenant: Tenant) => Connector;

/**
 * The pipeline's `connectorFor`. HubSpot's 110 requests per rolling 10 s are per portal (hubspot.md
 * §4.1), so every connector of one portal shares one PortalBudget; the token provider is per tenant.
 */
export function createConnectorFactory(deps: ConnectorFactoryDeps): ConnectorFor {
  const budgets = new Map<string, PortalBudget>();
  const connectors = new Map<string, Connector>();
  return (tenant) => {
    if (tenant.crm !== 'hubspot') throw new Error(`no connector for CRM ${tenant.crm} yet`);
    const cached = connectors.get(tenant.id);
    if (cached !== undefined) return cached;
    const portalId = Number(tenant.externalId);
    if (!Number.isSafeInteger(portalId)) throw new Error(`tenant ${tenant.id} has no numeric portal id`);
    let budget = budgets.get(tenant.externalId);
    if (budget === undefined) {
      budget = new PortalBudget();
      budgets.set(tenant.externalId, budget);
    }
    const connector = createHubSpotConnector({
      accessToken: hubspotTokenProvider(deps.store, deps.ring, tenant, deps.hubspot, deps.clock, deps.audit),
      basePath: deps.hubspot.basePath,
      portalId,
      budget,
      clock: deps.clock,
      ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
    });
    connectors.set(tenant.id, connector);
    return connector;
  };
}
