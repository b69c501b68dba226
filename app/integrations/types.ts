import type { Router } from 'express';
import type { Connector } from '../../connectors/index.ts';
import type { AuditAppend } from '../kit/audit/index.ts';
import type { Clock } from '../kit/clock.ts';
import type { Config } from '../kit/config/index.ts';
import type { Logger } from '../kit/logging/index.ts';
import type { KeyRing } from '../kit/secrets/index.ts';
import type { Crm, Store, Tenant } from '../kit/store/index.ts';

/** What every CRM integration is built from; the runtime hands the same context to each. */
export interface IntegrationContext {
  readonly config: Config;
  readonly store: Store;
  readonly ring: KeyRing;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: AuditAppend;
  /** Waits of retries and pacing; tests pass a fake. */
  readonly sleep: (ms: number) => Promise<void>;
  /** The base the CRM calls back at (install redirect, webhooks); in sandbox tests known once listening. */
  readonly publicUrl: () => string;
}

/**
 * Everything one CRM needs on our side, behind one value: its connector per tenant (OAuth tokens and
 * the per-portal or per-org budget inside), its HTTP routes (install, callback, change intake) and the
 * change intake that runs beside the worker. A new CRM is one folder under app/integrations/ exporting
 * one of these, and one line in app/runtime/integrations.ts.
 */
export interface CrmIntegration {
  readonly kind: Crm;
  /** The pipeline's connector for a tenant of this CRM. */
  connectorFor(tenant: Tenant): Connector | Promise<Connector>;
  /** Mounted by the HTTP app, in order, after the admin API and the cards. */
  readonly routers: readonly Router[];
  /** Starts change intake that is not an HTTP route (Salesforce change events), for tenants already connected. */
  start(): Promise<void>;
  /** Stops that intake; the runtime calls it with the worker. */
  stop(): Promise<void>;
}
