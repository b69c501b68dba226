/** Salesforce connector: the one Connector interface over jsforce 3.10.16, API 64.0. */
export { createSalesforceConnector } from './connector.ts';
export type { SalesforceConnector, SalesforceConnectorOptions } from './connector.ts';
export { ApiBudget } from './budget.ts';
export type { ApiBudgetOptions, ApiBudgetStatus, ApiUsage } from './budget.ts';
export {
  mapSalesforceError,
  mapSaveError,
  codeForSalesforceError,
  SALESFORCE_ERROR_CODES,
} from './errors.ts';
export { decideRetry, DEFAULT_RETRY_POLICY } from './retry.ts';
export type { RetryDecision, RetryPolicy } from './retry.ts';
export { SCORE_FIELDS, SCORED_OBJECTS, PERMISSION_SET, toSalesforceValues } from './fields.ts';
export { COLLECTION_BATCH } from './write-scores.ts';
export { OUTCOME_LEAD_CONVERTED, OUTCOME_OPPORTUNITY_CREATED } from './outcomes.ts';
export { IDS_PER_QUERY, personObjectOf } from './by-ids.ts';
export {
  subscribeChangeEvents,
  isOwnChange,
  batchRetryDelayMs,
  BATCH_RETRY_BASE_MS,
  BATCH_RETRY_CAP_MS,
  CDC_CHANNEL,
} from './change-events.ts';
export type {
  CdcHeader,
  ChangeEventMessage,
  ChangeEventOptions,
  ChangeEventReport,
  ChangeEventSubscription,
} from './change-events.ts';
