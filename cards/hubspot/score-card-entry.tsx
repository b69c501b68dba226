/**
 * The card's entry point (`entrypoint` in score-card-hsmeta.json). Kept apart from ScoreCard because
 * `hubspot.extend` only exists inside HubSpot's extension worker, not under vitest.
 */
import { hubspot } from '@hubspot/ui-extensions';
import { useCallback } from 'react';
import { BACKEND_URL } from './backend-url.ts';
import { loadCard } from './load-card.ts';
import { ScoreCard } from './score-card.tsx';

function Entry({ objectId }: { readonly objectId: string }) {
  const load = useCallback(
    // Marketplace apps have no serverless functions (hubspot.md §0.4): hubspot.fetch to our backend,
    // which HubSpot signs with the app's client secret. No portalId of ours: the proxy appends the
    // one HubSpot asserts, and that is the only one the backend believes.
    () => loadCard(hubspot.fetch, { backendUrl: BACKEND_URL, objectId }),
    [objectId],
  );
  return <ScoreCard load={load} />;
}

hubspot.extend<'crm.record.sidebar'>(({ context }) => <Entry objectId={String(context.crm.objectId)} />);
