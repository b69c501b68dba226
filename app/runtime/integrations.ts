import { hubspotIntegration, type HubSpotSettings } from '../integrations/hubspot/index.ts';
import { salesforceIntegration, type SalesforceSettings } from '../integrations/salesforce/index.ts';
import type { CrmIntegration, IntegrationContext } from '../integrations/types.ts';

/** Per-CRM overrides of the configured app (the sandbox passes the emulators' apps and hosts). */
export interface IntegrationSettings {
  readonly hubspot?: HubSpotSettings;
  readonly salesforce?: SalesforceSettings;
}

/**
 * The CRMs leadgate speaks, each built from the configuration (or its override) or left out when its
 * app is not configured. Adding a CRM: one folder under app/integrations/ and one line here.
 */
export function buildIntegrations(ctx: IntegrationContext, settings: IntegrationSettings): CrmIntegration[] {
  return [hubspotIntegration(ctx, settings.hubspot), salesforceIntegration(ctx, settings.salesforce)].filter(
    (integration) => integration !== undefined,
  );
}
