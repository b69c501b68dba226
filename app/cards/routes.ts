import { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';
import { unscoredCard, type CardContract } from '../../cards/contract/index.ts';
import type { Logger } from '../kit/logging/index.ts';
import { HttpError } from '../kit/http/index.ts';
import type { Clock } from '../kit/clock.ts';
import { hubspotContactCard, salesforcePersonCard } from './card-service.ts';
import type { CardStore } from './card-service.ts';
import { verifySignatureV3 } from '../../connectors/hubspot/index.ts';
import { renderCardPage } from './sandbox-page.ts';

/** The route the HubSpot card calls with hubspot.fetch (cards/hubspot/load-card.ts SCORE_PATH). */
export const HUBSPOT_CARD_PATH = '/cards/hubspot/score';
/** The sandbox record page (sandbox mode only). */
export const SANDBOX_CONTACT_PATH = '/sandbox/contacts/:id';
/** The sandbox record pages of a Salesforce Lead and Contact (sandbox mode only); `?orgId=` optional. */
export const SANDBOX_SALESFORCE_LEAD_PATH = '/sandbox/salesforce/leads/:id';
export const SANDBOX_SALESFORCE_CONTACT_PATH = '/sandbox/salesforce/contacts/:id';

export interface CardRouteDeps {
  readonly store: CardStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** LEADGATE_PUBLIC_URL without trailing slash: the base HubSpot signed the request URL with. */
  readonly publicUrl: string;
  /** The HubSpot app's client secret, the key of its v3 signatures; null when not configured. */
  readonly hubspotClientSecret: string | null;
  /** Sandbox mode: the record page is served. */
  readonly sandbox: boolean;
}

/** HubSpot ids are numeric (`context.portal.id`, `context.crm.objectId` are numbers). */
const ID = /^[0-9]{1,20}$/;
/** Salesforce ids: 15 or 18 characters; the first three name the object (salesforce.md §2). */
const SF_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const SF_PREFIX = { lead: '00Q', contact: '003' } as const;

/** Every value of a query key, in order: the 'simple' query parser turns a repeated key into an array. */
function queryValues(req: Request, name: string): unknown[] {
  const raw: unknown = req.query[name];
  if (raw === undefined) return [];
  return Array.isArray(raw) ? (raw as unknown[]) : [raw];
}

/**
 * The identity HubSpot's proxy asserts: the `portalId` and `userId` it appends to every hubspot.fetch
 * after the card's own query (ProxyMetadata, hubspot.md §7.3), inside the signed URL. The signature
 * proves the request passed the proxy, not who chose the rest of the query: a portal user can call
 * hubspot.fetch with any query, so a value the card supplied counts only when it equals the proxy's
 * (issue 14 item 3). The proxy's is the last occurrence; our card sends neither key. Absent: the
 * request did not come with HubSpot's identity (401); differing: it names someone else (403).
 */
function proxyAssertedId(req: Request, name: 'portalId' | 'userId'): string {
  const values = queryValues(req, name);
  const asserted = values.at(-1);
  if (asserted === undefined) {
    throw new HttpError(
      'unauthorized',
      `The request carries no ${name} from HubSpot's proxy; card requests must come through hubspot.fetch.`,
    );
  }
  if (values.some((v) => v !== asserted)) {
    throw new HttpError('forbidden', `The ${name} in the query differs from the one HubSpot asserted.`);
  }
  if (typeof asserted !== 'string' || !ID.test(asserted)) {
    throw new HttpError('bad_request', `Query parameter ${name} must be one numeric id.`);
  }
  return asserted;
}

/** The portal HubSpot's proxy asserts, with its user; a refusal is logged by reason only (no ids). */
function assertedPortal(deps: CardRouteDeps, req: Request): string {
  try {
    const portalId = proxyAssertedId(req, 'portalId');
    proxyAssertedId(req, 'userId');
    return portalId;
  } catch (error) {
    if (error instanceof HttpError) deps.logger.info('card request refused', { reason: error.code });
    throw error;
  }
}

/** One query value, a numeric id: repeated values must agree. */
function queryId(req: Request, name: string): string {
  const raw: unknown = req.query[name];
  const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  const first = values[0];
  if (typeof first !== 'string' || !ID.test(first) || values.some((v) => v !== first)) {
    throw new HttpError('bad_request', `Query parameter ${name} must be one numeric id.`);
  }
  return first;
}

function signedRequestGuard(deps: CardRouteDeps): RequestHandler {
  return (req, _res, next) => {
    const secret = deps.hubspotClientSecret;
    const message = 'The request is not signed by HubSpot, or the signature has expired.';
    if (secret === null) {
      deps.logger.warn('card request refused: no HubSpot client secret configured');
      throw new HttpError('unauthorized', message);
    }
    const check = verifySignatureV3(
      {
        method: req.method,
        // The full URL HubSpot requested: our public base plus the path and query as received.
        url: `${deps.publicUrl}${req.originalUrl}`,
        body: '',
        signature: req.get('x-hubspot-signature-v3'),
        timestamp: req.get('x-hubspot-request-timestamp'),
      },
      secret,
      deps.clock.now(),
    );
    if (!check.ok) {
      deps.logger.info('card request refused', { reason: check.reason });
      throw new HttpError('unauthorized', message);
    }
    next();
  };
}

function noStore(res: Response): void {
  // A score is per person and changes: no proxy or browser may keep it.
  res.setHeader('Cache-Control', 'no-store');
}

async function sandboxPortalId(deps: CardRouteDeps, req: Request): Promise<string | undefined> {
  if (req.query.portalId !== undefined) return queryId(req, 'portalId');
  const hubspot = (await deps.store.listTenants()).filter((t) => t.crm === 'hubspot');
  return hubspot.length === 1 ? hubspot[0]?.externalId : undefined;
}

/** `?orgId=` when given (one Salesforce id), else the only Salesforce tenant, if there is exactly one. */
async function sandboxOrgId(deps: CardRouteDeps, req: Request): Promise<string | undefined> {
  const raw: unknown = req.query.orgId;
  if (raw !== undefined) {
    if (typeof raw !== 'string' || !SF_ID.test(raw)) {
      throw new HttpError('bad_request', 'Query parameter orgId must be one Salesforce org id.');
    }
    return raw;
  }
  const orgs = (await deps.store.listTenants()).filter((t) => t.crm === 'salesforce');
  return orgs.length === 1 ? orgs[0]?.externalId : undefined;
}

function sendCardPage(res: Response, card: CardContract, title: string): void {
  noStore(res);
  // No script, inline styles only: the page needs nothing else, so nothing else may load.
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  res
    .status(card.state === 'not_found' ? 404 : 200)
    .type('html')
    .send(renderCardPage(card, title));
}

/**
 * The card routes: the HubSpot card's data (signed requests only) and, in sandbox mode, a record page
 * rendering the same contract. Unknown portal, uninstalled tenant and unknown contact are one 404.
 */
export function cardRoutes(deps: CardRouteDeps): Router {
  const router = Router();

  router.get(HUBSPOT_CARD_PATH, signedRequestGuard(deps), async (req, res) => {
    // The tenant is the portal HubSpot asserts, never one the card names (issue 14 item 3).
    const portalId = assertedPortal(deps, req);
    const objectId = queryId(req, 'objectId');
    const card = await hubspotContactCard(deps.store, portalId, objectId, deps.clock.now());
    if (card === undefined) throw new HttpError('not_found');
    noStore(res);
    res.json(card);
  });

  if (deps.sandbox) {
    router.get(SANDBOX_CONTACT_PATH, async (req, res) => {
      const objectId = req.params.id;
      if (!ID.test(objectId)) throw new HttpError('not_found');
      const portalId = await sandboxPortalId(deps, req);
      const card =
        (portalId === undefined
          ? undefined
          : await hubspotContactCard(deps.store, portalId, objectId, deps.clock.now())) ??
        unscoredCard(objectId, 'not_found');
      sendCardPage(res, card, `Contact ${objectId} · leadgate`);
    });

    const salesforcePage =
      (objectType: 'lead' | 'contact', label: string): RequestHandler =>
      async (req, res) => {
        const objectId = String(req.params.id);
        if (!SF_ID.test(objectId) || !objectId.startsWith(SF_PREFIX[objectType])) {
          throw new HttpError('not_found');
        }
        const orgId = await sandboxOrgId(deps, req);
        const card =
          (orgId === undefined
            ? undefined
            : await salesforcePersonCard(deps.store, orgId, objectType, objectId, deps.clock.now())) ??
          unscoredCard(objectId, 'not_found');
        sendCardPage(res, card, `Salesforce ${label} ${objectId} · leadgate`);
      };
    router.get(SANDBOX_SALESFORCE_LEAD_PATH, salesforcePage('lead', 'Lead'));
    router.get(SANDBOX_SALESFORCE_CONTACT_PATH, salesforcePage('contact', 'Contact'));
  }

  return router;
}
