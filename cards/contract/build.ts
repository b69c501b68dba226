import { CARD_CONTRACT_VERSION, DIRECTIONS, MAX_HISTORY, MAX_REASONS } from './types.ts';
import type {
  CardConfidence,
  CardContract,
  CardHistoryPoint,
  CardReason,
  CardRoute,
  CardTier,
  ReasonDirection,
  UnscoredCard,
} from './types.ts';

/**
 * The fields of a stored score the card needs: a structural slice of app/kit/store's `ScoreRecord`
 * (what `getLatestScore` / `listScores` return), declared here so cards/ imports nothing of app/.
 * build.test.ts checks that a `ScoreRecord` is assignable to it.
 */
export interface StoredScoreRow {
  readonly score: number;
  readonly tier: CardTier;
  readonly fitScore: number | null;
  readonly engagementScore: number | null;
  readonly route: CardRoute;
  readonly confidence: CardConfidence;
  /** JSON as stored: the scorer's `Reason[]` (`{ source, direction, weight, text }`). */
  readonly reasons: unknown;
  readonly modelVersion: string | null;
  /** epoch ms */
  readonly scoredAt: number;
}

const MAX_REASON_TEXT = 500;

function toPercent(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value)));
}

function isDirection(value: unknown): value is ReasonDirection {
  return typeof value === 'string' && (DIRECTIONS as readonly string[]).includes(value);
}

/**
 * The stored reasons as card reasons, in the scorer's order (it already ranks them; the card must not
 * re-rank), at most MAX_REASONS. Malformed entries are dropped rather than failing the whole card.
 */
export function cardReasons(stored: unknown): CardReason[] {
  if (!Array.isArray(stored)) return [];
  const out: CardReason[] = [];
  for (const item of stored as unknown[]) {
    if (out.length === MAX_REASONS) break;
    if (typeof item !== 'object' || item === null) continue;
    const { text, direction } = item as { text?: unknown; direction?: unknown };
    if (typeof text !== 'string' || !isDirection(direction)) continue;
    const trimmed = text.trim().slice(0, MAX_REASON_TEXT);
    if (trimmed === '') continue;
    out.push({ text: trimmed, direction });
  }
  return out;
}

/** A card with nothing to show: the person is known but unscored, or not known at all. */
export function unscoredCard(objectId: string, state: 'not_scored' | 'not_found'): UnscoredCard {
  return {
    contractVersion: CARD_CONTRACT_VERSION,
    objectId,
    state,
    score: null,
    tier: null,
    fitScore: null,
    engagementScore: null,
    confidence: null,
    route: null,
    reasons: [],
    modelVersion: null,
    scoredAt: null,
    history: [],
  };
}

/**
 * The card for one person from their stored scores (any order; `listScores` gives newest first).
 * No usable row gives `not_scored`: the caller has already established that the person exists.
 */
export function buildCardContract(objectId: string, rows: readonly StoredScoreRow[]): CardContract {
  const usable = rows
    .filter((r) => Number.isFinite(r.score) && Number.isFinite(r.scoredAt))
    .sort((a, b) => b.scoredAt - a.scoredAt);
  const latest = usable[0];
  if (latest === undefined) return unscoredCard(objectId, 'not_scored');
  const history: CardHistoryPoint[] = usable
    .slice(0, MAX_HISTORY)
    .reverse()
    .map((r) => ({ score: toPercent(r.score), tier: r.tier, scoredAt: new Date(r.scoredAt).toISOString() }));
  return {
    contractVersion: CARD_CONTRACT_VERSION,
    objectId,
    state: 'scored',
    score: toPercent(latest.score),
    tier: latest.tier,
    fitScore: latest.fitScore === null ? null : toPercent(latest.fitScore),
    engagementScore: latest.engagementScore === null ? null : toPercent(latest.engagementScore),
    confidence: latest.confidence,
    route: latest.route,
    reasons: cardReasons(latest.reasons),
    modelVersion: latest.modelVersion === '' ? null : latest.modelVersion,
    scoredAt: new Date(latest.scoredAt).toISOString(),
    history,
  };
}
