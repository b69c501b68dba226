/** The HubSpot connector: the one `Connector` of design §2 over the real @hubspot/api-client. */
export { createHubSpotConnector, type HubSpotConnector, type HubSpotConnectorOptions } from './connector.ts';
export { IDS_PER_READ } from './by-ids.ts';
export { LIST_PAGE_SIZE } from './paging.ts';
export { BATCH_SIZE } from './write-scores.ts';
export { HUBSPOT_SCOPES, type HubSpotScope } from './scopes.ts';
export { mapHubSpotError, mapBatchItemError, toConnectorError } from './errors.ts';
export { decideRetry, DEFAULT_RETRY_POLICY, type RetryDecision, type RetryPolicy } from './retry.ts';
export {
  PortalBudget,
  RollingBudget,
  DEFAULT_PORTAL_BUDGET,
  type PortalBudgetOptions,
  type RequestKind,
} from './rate-budget.ts';
export { LEADGATE_PROPERTIES, PROPERTY_GROUP, toHubSpotProperties, type PropertySpec } from './schema.ts';
export type { Clock, Sleep, RetryEvent } from './client.ts';
export {
  SIGNATURE_MAX_AGE_MS,
  decodeSignedUri,
  signatureV3,
  verifySignatureV3,
  type SignatureCheck,
  type SignedRequest,
} from './signature.ts';
export { CONSENT_PROPERTIES, PERSON_PROPERTIES } from './mapping.ts';
