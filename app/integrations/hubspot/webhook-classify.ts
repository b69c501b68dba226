import type { HubSpotEvent } from './webhook-schema.ts';

export type EventAction = 'rescore' | 'privacy_delete' | 'ignore_own' | 'ignore';

/** Our own write-back shows up as property changes; rescoring them would loop forever. */
export const OWN_PROPERTY_PREFIX = 'leadgate_';

/**
 * What one event asks of us. Contact creations and changes are rescored; `contact.privacyDeletion`
 * erases the person (marketplace requirement, hubspot.md §5.6); changes we caused are dropped: our
 * `leadgate_*` properties, or a change attributed to our app (`sourceId` naming our app id).
 */
export function classifyEvent(event: HubSpotEvent, ourAppId: number | null): EventAction {
  const type = event.subscriptionType;
  if (type === 'contact.privacyDeletion') return 'privacy_delete';
  if (event.propertyName?.startsWith(OWN_PROPERTY_PREFIX) === true) return 'ignore_own';
  if (ourAppId !== null && event.sourceId !== undefined && event.sourceId === `integration:${ourAppId}`) {
    return 'ignore_own';
  }
  if (type === 'contact.creation' || type === 'contact.propertyChange') return 'rescore';
  if (type === 'object.creation' || type === 'object.propertyChange') return 'rescore';
  return 'ignore';
}

/** eventId alone "is not guaranteed to be unique" (§5.2): dedupe on subscription, event and time. */
export function eventKey(event: HubSpotEvent): string {
  return `${event.subscriptionId}:${event.eventId}:${event.occurredAt}`;
}
