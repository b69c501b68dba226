import { parseCardContract } from '../contract/guard.ts';
import { unscoredCard } from '../contract/build.ts';
import type { CardContract } from '../contract/types.ts';

/** The slice of `hubspot.fetch` the card uses (`@hubspot/ui-extensions` 0.17.0, hubspot.md §7.3). */
export type HubSpotFetch = (
  url: string,
  options: { method: 'GET'; timeout: number; headers?: Record<string, string> },
) => Promise<Pick<Response, 'ok' | 'status' | 'json'>>;

/** The card's backend route; app/cards serves it. */
export const SCORE_PATH = '/cards/hubspot/score';

/**
 * 5 s, well under hubspot.fetch's 15 s maximum: an SDR waits for the sidebar, and a retry button is
 * better than a long spinner (hubspot.md §7.3).
 */
export const FETCH_TIMEOUT_MS = 5_000;

export class CardLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CardLoadError';
  }
}

export interface CardRequest {
  readonly backendUrl: string;
  readonly objectId: string;
}

/**
 * The score URL: the contact only. The portal is not ours to name: HubSpot's proxy appends the
 * `portalId` and `userId` it knows (ProxyMetadata, hubspot.md §7.3) after our query, and the backend
 * takes the tenant from those alone, refusing a request that names another (issue 14 item 3). The
 * signature proves only that the request passed the proxy, not who chose the query.
 */
export function scoreUrl(request: CardRequest): string {
  const query = new URLSearchParams({ objectId: request.objectId });
  return `${request.backendUrl.replace(/\/+$/, '')}${SCORE_PATH}?${query.toString()}`;
}

/**
 * Fetches the card for one contact. 404 is the backend's answer for "not ours" (unknown portal or
 * contact, deliberately indistinguishable), shown as `not_found`; anything else not 2xx, or a body
 * that is not the contract, is an error the card offers to retry.
 */
export async function loadCard(fetcher: HubSpotFetch, request: CardRequest): Promise<CardContract> {
  let response: Awaited<ReturnType<HubSpotFetch>>;
  try {
    response = await fetcher(scoreUrl(request), {
      method: 'GET',
      timeout: FETCH_TIMEOUT_MS,
      headers: { accept: 'application/json' },
    });
  } catch {
    throw new CardLoadError('leadgate could not be reached.');
  }
  if (response.status === 404) return unscoredCard(request.objectId, 'not_found');
  // hubspot.fetch: 429 beyond 20 concurrent requests per account (hubspot.md §7.3).
  if (response.status === 429) throw new CardLoadError('Too many requests right now.');
  if (!response.ok) throw new CardLoadError(`leadgate answered ${response.status}.`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new CardLoadError('leadgate sent an unreadable answer.');
  }
  const card = parseCardContract(body);
  if (card === null) throw new CardLoadError('leadgate sent an answer this card does not understand.');
  return card;
}
