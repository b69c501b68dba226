import { queryInt } from './body.ts';
import { validationError } from './errors.ts';
import { requirePortal } from './object-access.ts';
import type { AnalyticsEvent, Portal } from './portal.ts';
import type { Router } from './router.ts';

/**
 * The web-analytics Events API ([spec] Events v3 `/events/v3/events/`): "standard events, such as
 * website page views and email opens" per CRM record. The emulator carries page views, form
 * submissions and marketing-email opens and clicks here, because HubSpot keeps them as events on
 * the contact's timeline, not as CRM engagement objects. Only `e_visited_page` is confirmed by a
 * source; the other names are UNVERIFIED and kept in one table.
 */
export const EVENT_TYPES = {
  page_view: 'e_visited_page',
  form_submission: 'e_submitted_form',
  email_open: 'e_opened_email',
  email_click: 'e_clicked_email',
} as const;

/** The page size cap is not documented; 100 is the CRM list maximum and the stricter guess. */
export const EVENTS_LIMIT_MAX = 100;

/** The last query's sorted hits per portal, while its events stay the same (see the handler). */
const sortedHits = new WeakMap<Portal, { key: string; length: number; hits: readonly AnalyticsEvent[] }>();

export function registerEventRoutes(router: Router): void {
  router.add({
    method: 'GET',
    pattern: '/events/v3/events',
    auth: 'bearer',
    limit: 'standard',
    scopes: () => ['oauth'],
    handler: (req) => {
      const portal = requirePortal(req);
      const q = req.query;
      const objectType = q.get('objectType');
      const objectId = q.get('objectId');
      if (objectId !== null && objectType === null) throw validationError('objectId needs objectType');
      if (objectType !== null && objectType !== 'contact' && objectType !== '0-1')
        throw validationError(`events are kept for contacts only here, not "${objectType}"`);
      const limit = queryInt(q, 'limit', 10, EVENTS_LIMIT_MAX);
      const eventType = q.get('eventType');
      const after = q.get('occurredAfter');
      const before = q.get('occurredBefore');
      const afterMs = after === null ? Number.NEGATIVE_INFINITY : Date.parse(after);
      const beforeMs = before === null ? Number.POSITIVE_INFINITY : Date.parse(before);
      if (Number.isNaN(afterMs) || Number.isNaN(beforeMs))
        throw validationError('occurredAfter/occurredBefore must be ISO 8601 date-times');
      const descending = q.getAll('sort').includes('DESCENDING');
      const cursor = q.get('after');
      const offset =
        cursor === null ? 0 : Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10);
      if (!Number.isInteger(offset) || offset < 0)
        throw validationError('after must be a paging cursor from paging.next.after');
      // One query pages through the same sorted hits: keep them while the portal's events stay the same
      // (seeding appends, a privacy deletion removes), so a page is O(page) instead of O(all events).
      const queryKey = `${objectId}|${eventType}|${afterMs}|${beforeMs}|${descending}`;
      const cached = sortedHits.get(portal);
      const hits =
        cached !== undefined && cached.key === queryKey && cached.length === portal.events.length
          ? cached.hits
          : portal.events
              .filter(
                (e) =>
                  (objectId === null || e.objectId === objectId) &&
                  (eventType === null || e.eventType === eventType) &&
                  e.occurredAt > afterMs &&
                  e.occurredAt < beforeMs,
              )
              .sort(
                (a, b) =>
                  (descending ? b.occurredAt - a.occurredAt : a.occurredAt - b.occurredAt) ||
                  (a.id < b.id ? -1 : 1),
              );
      sortedHits.set(portal, { key: queryKey, length: portal.events.length, hits });
      const page = hits.slice(offset, offset + limit);
      const body: Record<string, unknown> = {
        results: page.map((e) => ({
          objectType: 'CONTACT',
          objectId: e.objectId,
          eventType: e.eventType,
          occurredAt: new Date(e.occurredAt).toISOString(),
          id: e.id,
          properties: e.properties,
        })),
      };
      if (offset + limit < hits.length)
        body.paging = { next: { after: Buffer.from(String(offset + limit)).toString('base64url') } };
      return { status: 200, body };
    },
  });

  router.add({
    method: 'GET',
    pattern: '/events/v3/events/event-types',
    auth: 'bearer',
    limit: 'standard',
    scopes: () => ['oauth'],
    handler: () => ({ status: 200, body: { eventTypes: Object.values(EVENT_TYPES) } }),
  });
}
