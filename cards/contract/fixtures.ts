/** Sample rows and cards shared by the contract, card, route and sandbox-page tests. */
import { buildCardContract, unscoredCard } from './build.ts';
import type { StoredScoreRow } from './build.ts';
import type { ScoredCard } from './types.ts';

export const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const HOUR = 3_600_000;

export function storedRow(overrides: Partial<StoredScoreRow> = {}): StoredScoreRow {
  return {
    score: 82.4,
    tier: 'A',
    fitScore: 71.2,
    engagementScore: 88.9,
    route: 'ae',
    confidence: 'high',
    reasons: [
      {
        source: 'pricing_views_7d',
        direction: 'positive',
        weight: 1.2,
        text: 'Visited the pricing page 4 times in the last 7 days',
      },
      { source: 'seniority', direction: 'positive', weight: 0.8, text: 'Director-level title' },
      { source: 'email_domain', direction: 'negative', weight: -0.4, text: 'Uses a free email domain' },
    ],
    modelVersion: 'hubspot-2026-11-20.3',
    scoredAt: T0 + 5 * HOUR,
    ...overrides,
  };
}

/** Three scores, newest first as `listScores` returns them. */
export const STORED_ROWS: readonly StoredScoreRow[] = [
  storedRow(),
  storedRow({ score: 64.6, tier: 'B', route: 'sdr', scoredAt: T0 + 2 * HOUR }),
  storedRow({ score: 31, tier: 'C', route: 'nurture', scoredAt: T0 }),
];

export const SCORED_CARD = buildCardContract('501', STORED_ROWS) as ScoredCard;
export const NOT_SCORED_CARD = unscoredCard('502', 'not_scored');
export const NOT_FOUND_CARD = unscoredCard('503', 'not_found');
