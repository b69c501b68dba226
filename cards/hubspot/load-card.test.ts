import { describe, expect, it } from 'vitest';
import { SCORED_CARD } from '../contract/fixtures.ts';
import { CardLoadError, FETCH_TIMEOUT_MS, loadCard, scoreUrl } from './load-card.ts';
import type { HubSpotFetch } from './load-card.ts';

const REQUEST = { backendUrl: 'https://leadgate.example.com/', objectId: '501' };

function answering(status: number, body: unknown): HubSpotFetch {
  return () => Promise.resolve(new Response(JSON.stringify(body), { status }));
}

describe('scoreUrl', () => {
  it("puts only objectId in the query: the portal is what HubSpot's proxy appends", () => {
    expect(scoreUrl(REQUEST)).toBe('https://leadgate.example.com/cards/hubspot/score?objectId=501');
  });
});

describe('loadCard', () => {
  it('sends a GET with the card timeout', async () => {
    const seen: Parameters<HubSpotFetch>[] = [];
    const fetcher: HubSpotFetch = (...args) => {
      seen.push(args);
      return answering(200, SCORED_CARD)(...args);
    };
    await loadCard(fetcher, REQUEST);
    expect(seen[0]?.[1]).toMatchObject({ method: 'GET', timeout: FETCH_TIMEOUT_MS });
  });

  it('returns the contract when the backend answers one', async () => {
    await expect(loadCard(answering(200, SCORED_CARD), REQUEST)).resolves.toEqual(SCORED_CARD);
  });

  it('returns not_found for the record when the backend answers 404', async () => {
    const card = await loadCard(answering(404, { error: { code: 'not_found' } }), REQUEST);
    expect([card.state, card.objectId]).toEqual(['not_found', '501']);
  });

  it('fails with the status when the backend answers 500', async () => {
    await expect(loadCard(answering(500, {}), REQUEST)).rejects.toThrow('leadgate answered 500.');
  });

  it('fails when the body is not the contract', async () => {
    await expect(loadCard(answering(200, { score: 82 }), REQUEST)).rejects.toBeInstanceOf(CardLoadError);
  });

  it('fails when the body is not JSON', async () => {
    const fetcher: HubSpotFetch = () => Promise.resolve(new Response('<html>', { status: 200 }));
    await expect(loadCard(fetcher, REQUEST)).rejects.toThrow('unreadable');
  });

  it('fails when hubspot.fetch itself rejects (timeout, no connection)', async () => {
    const fetcher: HubSpotFetch = () => Promise.reject(new Error('timeout'));
    await expect(loadCard(fetcher, REQUEST)).rejects.toThrow('could not be reached');
  });
});
