// The webhooks folder's only door: HubSpot's webhook endpoint and its event handling.
export { webhookRoutes, handleEvents, WEBHOOK_PATH } from './webhook-routes.ts';
export type { WebhookRouteDeps, WebhookStore, WebhookSummary } from './webhook-routes.ts';
export { classifyEvent, eventKey, OWN_PROPERTY_PREFIX } from './webhook-classify.ts';
export type { EventAction } from './webhook-classify.ts';
export { EVENTS_SCHEMA } from './webhook-schema.ts';
export type { HubSpotEvent } from './webhook-schema.ts';
