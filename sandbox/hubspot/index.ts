/** A local emulator of the HubSpot APIs leadgate calls, for tests, the demo and the bench. */
export {
  startHubSpotEmulator,
  type HubSpotEmulator,
  type HubSpotEmulatorOptions,
  type PortalsApi,
  type OAuthApi,
  type FaultsApi,
  type WebhooksApi,
} from './emulator.ts';
export { ManualClock, systemClock, type Clock, type TimerHandle } from './clock.ts';
export type { FaultRule, FaultKind, FaultHandle } from './faults.ts';
export type { Portal, StoredObject, AnalyticsEvent, ObjectChange } from './portal.ts';
export { seedPortal, SENIORITY_PROPERTY, type SeedResult } from './seed.ts';
export { signatureV3, type SignatureInput } from './signature.ts';
export {
  MAX_EVENTS_PER_REQUEST,
  MAX_RETRIES,
  DELIVERY_TIMEOUT_MS,
  retryDelayMs,
  type WebhookSettings,
  type Subscription,
  type SubscriptionType,
  type WebhookEvent,
  type DeliveryAttempt,
  type Transport,
} from './webhooks.ts';
export { OBJECT_TYPES, type ObjectTypeName } from './object-types.ts';
export { EVENT_TYPES } from './routes-events.ts';
export type { AppConfig, RequestRecord, CreatePortalOptions } from './state.ts';
export { ALL_SCOPES } from './state.ts';
export { TEN_SECONDLY, SEARCH_SECONDLY } from './rate-limit.ts';
export { BATCH_LIMIT } from './routes-batch.ts';
export { SEARCH_RESULT_CAP, SEARCH_LIMIT_MAX } from './search.ts';
export { ACCESS_TOKEN_TTL_MS } from './tokens.ts';
