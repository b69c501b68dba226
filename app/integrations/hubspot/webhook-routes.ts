import { createHash } from 'node:crypto';
import express, { Router, type RequestHandler } from 'express';
import { verifySignatureV3 } from '../../../connectors/hubspot/index.ts';
import type { Logger } from '../../kit/logging/index.ts';
import { HttpError, bodyValidator } from '../../kit/http/index.ts';
import type { AuditAppend } from '../../kit/audit/index.ts';
import type { Clock } from '../../kit/clock.ts';
import type { Store, Tenant } from '../../kit/store/index.ts';
import { peopleChanged } from '../../pipeline/index.ts';
import { classifyEvent, eventKey } from './webhook-classify.ts';
import { WEBHOOK_ROUTE, isWebhookPathSecret } from './webhook-path.ts';
import { EVENTS_SCHEMA, type HubSpotEvent } from './webhook-schema.ts';

export type WebhookStore = Pick<Store, 'findTenantByExternalId' | 'enqueueJob' | 'deletePerson'>;

export interface WebhookRouteDeps {
  readonly store: WebhookStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: AuditAppend;
  /** The base HubSpot signed the URL with (LEADGATE_PUBLIC_URL). */
  readonly publicUrl: () => string;
  /**
   * The app's client secret: the key of v3 signatures and of the path secret (webhook-path.ts).
   * Null: no path can match, so every request is the 404 of an unknown route.
   */
  readonly clientSecret: string | null;
  /** Our HubSpot app id: only events naming it are acted on; also recognises changes we made. */
  readonly appId: number;
  readonly maxBodyBytes: number;
}

export interface WebhookSummary {
  received: number;
  queued: number;
  deleted: number;
  ignored: number;
  unknownPortals: number;
  /** Events naming another app id, or none: acknowledged, never acted on. */
  otherApp: number;
}

const validateEvents = bodyValidator(EVENTS_SCHEMA);
const UNAUTHORIZED = 'The request is not signed by HubSpot, or the signature has expired.';

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError('invalid_json');
  }
}

/**
 * Acts on one verified batch. Changes enqueue one `incremental` per tenant and batch (coalesced): it
 * reads the changed contacts and hands them to `rescore`, so the rescore sees the new values rather
 * than what we stored before. HubSpot retries a batch it thinks failed (§5.3): the job's idempotency
 * key is the batch's event keys, so a redelivery queues nothing; a duplicate that still slips through
 * in another batch only costs a rescore, which writes nothing when nothing changed.
 */
export async function handleEvents(
  deps: WebhookRouteDeps,
  events: readonly HubSpotEvent[],
): Promise<WebhookSummary> {
  const summary: WebhookSummary = {
    received: events.length,
    queued: 0,
    deleted: 0,
    ignored: 0,
    unknownPortals: 0,
    otherApp: 0,
  };
  const byPortal = new Map<number, HubSpotEvent[]>();
  const seen = new Set<string>();
  const foreignApps = new Set<number | null>();
  for (const e of events) {
    if (seen.has(eventKey(e))) continue;
    seen.add(eventKey(e));
    // Every HubSpot webhook event names the app whose subscription produced it (hubspot.md §5.2).
    // A batch signed with our secret should never carry another's; if one does, nothing of it may
    // delete or rescore anyone (issue 14 item 2).
    if (e.appId !== deps.appId) {
      summary.otherApp++;
      foreignApps.add(e.appId ?? null);
      continue;
    }
    byPortal.set(e.portalId, [...(byPortal.get(e.portalId) ?? []), e]);
  }
  if (summary.otherApp > 0) {
    // Counts and app ids only: no portal, object or person id.
    deps.logger.warn('webhook events of another app ignored', {
      events: summary.otherApp,
      appIds: [...foreignApps].slice(0, 10),
    });
  }
  for (const [portalId, portalEvents] of byPortal) {
    const tenant = await deps.store.findTenantByExternalId('hubspot', String(portalId));
    if (tenant === undefined || tenant.status !== 'active') {
      // Acknowledged, not refused: a 4xx would make HubSpot retry ten times for nothing (§5.3).
      deps.logger.warn('webhook for an unknown or inactive portal', {
        portalId,
        events: portalEvents.length,
      });
      summary.unknownPortals++;
      continue;
    }
    const touched = new Set<string>();
    const keys: string[] = [];
    for (const e of portalEvents) {
      const action = classifyEvent(e, deps.appId);
      if (action === 'privacy_delete') {
        await privacyDelete(deps, tenant, e);
        summary.deleted++;
      } else if (action === 'rescore') {
        touched.add(String(e.objectId));
        keys.push(eventKey(e));
      } else {
        summary.ignored++;
      }
    }
    if (touched.size === 0) continue;
    const batchKey = createHash('sha256').update(keys.sort().join(',')).digest('hex').slice(0, 32);
    const { created } = await deps.store.enqueueJob(
      {
        tenantId: tenant.id,
        type: 'incremental',
        payload: peopleChanged({ source: 'webhook', recordIds: [...touched] }),
        idempotencyKey: `webhook:${batchKey}`,
      },
      deps.clock.now(),
    );
    if (created) summary.queued++;
  }
  return summary;
}

async function privacyDelete(deps: WebhookRouteDeps, tenant: Tenant, e: HubSpotEvent): Promise<void> {
  const personId = String(e.objectId);
  const removed = await deps.store.deletePerson(tenant.id, personId);
  // The audit entry is the record that we did; it names the CRM id only, no personal data.
  await deps.audit({
    tenantId: tenant.id,
    actor: 'system:webhook',
    action: 'person.privacy_delete',
    subject: `person:${personId}`,
    details: { rowsRemoved: removed, eventId: e.eventId, occurredAt: e.occurredAt },
    at: deps.clock.now(),
  });
}

/**
 * The path secret first, before the body is read: a wrong or missing one is the catalogue's 404, the
 * answer of an unknown route, so the endpoint does not reveal that it exists.
 */
function pathSecretGuard(deps: WebhookRouteDeps): RequestHandler {
  return (req, _res, next) => {
    const given = req.params.pathSecret;
    if (deps.clientSecret === null || typeof given !== 'string') throw new HttpError('not_found');
    if (!isWebhookPathSecret(given, deps.clientSecret)) {
      // The secret itself is never logged; the route label in the access log is the template.
      deps.logger.info('webhook refused: wrong path secret');
      throw new HttpError('not_found');
    }
    next();
  };
}

/**
 * POST /webhooks/hubspot/<path secret>: the path secret, then the v3 signature over the raw bytes,
 * then validation, then queuing (§5). The card proxy signs with the same client secret, so the
 * signature alone would let a card request in; the path secret is what the card cannot know.
 */
export function webhookRoutes(deps: WebhookRouteDeps): Router {
  const router = Router();
  router.post(
    WEBHOOK_ROUTE,
    pathSecretGuard(deps),
    // Raw bytes whatever the content type: the signature is over the body exactly as sent (§5.4).
    express.raw({ type: () => true, limit: deps.maxBodyBytes }),
    async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      if (deps.clientSecret === null) throw new HttpError('not_found');
      const check = verifySignatureV3(
        {
          method: req.method,
          url: `${deps.publicUrl()}${req.originalUrl}`,
          body: raw,
          signature: req.get('x-hubspot-signature-v3'),
          timestamp: req.get('x-hubspot-request-timestamp'),
        },
        deps.clientSecret,
        deps.clock.now(),
      );
      if (!check.ok) {
        deps.logger.info('webhook refused', { reason: check.reason });
        throw new HttpError('unauthorized', UNAUTHORIZED);
      }
      const events = validateEvents(parseJson(raw));
      const summary = await handleEvents(deps, events);
      deps.logger.info('webhook accepted', { ...summary });
      res.status(200).json(summary);
    },
  );
  return router;
}
