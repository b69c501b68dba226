import type { JSONSchemaType } from 'ajv';

/** One HubSpot webhook event (hubspot.md §5.2); fields we do not read pass through unchecked. */
export interface HubSpotEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  occurredAt: number;
  subscriptionType: string;
  objectId: number;
  attemptNumber?: number;
  appId?: number;
  changeSource?: string;
  sourceId?: string;
  propertyName?: string;
  propertyValue?: string;
}

const id = { type: 'integer', minimum: 0 } as const;

export const EVENTS_SCHEMA: JSONSchemaType<HubSpotEvent[]> = {
  type: 'array',
  minItems: 1,
  // HubSpot sends up to 100 events per request (§5.2, UNVERIFIED); 1,000 leaves room without being unbounded.
  maxItems: 1000,
  items: {
    type: 'object',
    required: ['eventId', 'subscriptionId', 'portalId', 'occurredAt', 'subscriptionType', 'objectId'],
    properties: {
      eventId: id,
      subscriptionId: id,
      portalId: id,
      occurredAt: id,
      subscriptionType: { type: 'string', minLength: 1, maxLength: 100 },
      objectId: id,
      attemptNumber: { type: 'integer', nullable: true },
      appId: { type: 'integer', nullable: true },
      changeSource: { type: 'string', nullable: true },
      sourceId: { type: 'string', nullable: true },
      propertyName: { type: 'string', nullable: true },
      propertyValue: { type: 'string', nullable: true },
    },
    additionalProperties: true,
  },
};
