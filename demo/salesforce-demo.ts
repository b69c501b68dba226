import type { DemoOrg } from './salesforce-org.ts';

/** The Salesforce half of the demo. */
export interface SalesforceDemo {
  readonly org: DemoOrg;
  readonly tenantId: string;
  /** True when this start found the org's tenant of a previous run. */
  readonly resumed: boolean;
  /** The highest scored open Lead and Contact, and their sandbox record pages. */
  readonly leadId: string;
  readonly leadUrl: string;
  readonly contactId: string;
  readonly contactUrl: string;
}
