// The webhooks folder's only door: HubSpot's webhook endpoint and its event handling.
export { webhookRoutes, handleEvents, WEBHOOK_PATH } from './routes.ts';
export type { WebhookRouteDeps, WebhookStore, WebhookSummary } from './routes.ts';
export { classifyEvent, eventKey, OWN_PROPERTY_PREFIX } from './classify.ts';
export type { EventAction } from './classify.ts';
export { EVENTS_SCHEMA } from './schema.ts';
export type { HubSpotEvent } from './schema.ts';
