import type { CardRouteDeps } from '../cards/index.ts';
import type { InstallRouteDeps, SalesforceInstallDeps } from '../integrations/install-index.ts';
import type { DeadLetterRouteDeps, StatusRouteDeps } from '../pipeline/index.ts';
import type { WebhookRouteDeps } from '../integrations/hubspot/webhook-index.ts';
import type { ApiKeyRepository, PolicyRepository, TenantRepository } from '../kit/auth/index.ts';
import type { Config } from '../kit/config/index.ts';
import type { Logger } from '../kit/logging/index.ts';
import type { EpochMs, JsonValue, Store } from '../kit/store/index.ts';
import type { Metrics } from '../kit/http/metrics.ts';

/** Wall-clock time, injected so tests control it; epoch ms like the store. */
export interface Clock {
  now(): EpochMs;
}

export const systemClock: Clock = { now: () => Date.now() };

/** What the server needs of the store: readiness, API keys, tenant and policy reads/writes. */
export type AppStore = Pick<Store, 'ping' | 'migrationStatus'> &
  ApiKeyRepository &
  TenantRepository &
  PolicyRepository;

export interface AuditEntry {
  readonly tenantId: string;
  /** e.g. `apikey:<keyId>` (app/kit/audit's convention) */
  readonly actor: string;
  /** e.g. `policy.update` */
  readonly action: string;
  /** e.g. `policy:3` */
  readonly subject: string;
  readonly details: JsonValue;
  readonly at: EpochMs;
}

/** Appends to the tamper-evident audit trail (app/kit/audit); injected so the server does not own hashing. */
export type AuditAppend = (entry: AuditEntry) => Promise<void>;

export interface AppDeps {
  readonly config: Pick<Config, 'maxBodyBytes'>;
  readonly logger: Logger;
  readonly store: AppStore;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly audit: { readonly append: AuditAppend };
  /** The card routes (app/cards); mounted only when given. */
  readonly cards?: CardRouteDeps;
  /** GET /api/v1/status (app/pipeline); mounted only when given. */
  readonly status?: StatusRouteDeps;
  /** GET/POST /api/v1/tenants/:tenantId/dead-letters (app/pipeline); mounted only when given. */
  readonly deadLetters?: DeadLetterRouteDeps;
  /** GET /install/hubspot and its callback (app/install); mounted only when given. */
  readonly install?: InstallRouteDeps;
  /** GET /install/salesforce and its callback (app/install); mounted only when given. */
  readonly salesforceInstall?: SalesforceInstallDeps;
  /** POST /webhooks/hubspot (app/webhooks); mounted only when given. */
  readonly webhooks?: WebhookRouteDeps;
}
