/**
 * The card contract (design §9): the one JSON shape every score card renders, whatever the CRM.
 * The HubSpot UI-extension card, the Salesforce LWC and the sandbox record page all read this and
 * nothing else. This file has no imports so the HubSpot card bundle can carry it as is.
 */

/** Bumped on any breaking change, so a card can tell an old backend from a new one. */
export const CARD_CONTRACT_VERSION = 1;

/** The card shows at most this many reasons; a sidebar card has room for a handful. */
export const MAX_REASONS = 6;

/** The card shows at most this many past scores. */
export const MAX_HISTORY = 10;

export const CARD_STATES = ['scored', 'not_scored', 'not_found'] as const;
export const TIERS = ['A', 'B', 'C', 'D'] as const;
export const ROUTES = ['ae', 'sdr', 'nurture', 'review'] as const;
export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export const DIRECTIONS = ['positive', 'negative'] as const;

/**
 * - `scored`: the person has at least one score;
 * - `not_scored`: the person is known to leadgate but has no score yet (new record, no lawful basis);
 * - `not_found`: leadgate does not know this record for this portal/org.
 */
export type CardState = (typeof CARD_STATES)[number];
export type CardTier = (typeof TIERS)[number];
export type CardRoute = (typeof ROUTES)[number];
export type CardConfidence = (typeof CONFIDENCES)[number];
export type ReasonDirection = (typeof DIRECTIONS)[number];

export interface CardReason {
  readonly text: string;
  readonly direction: ReasonDirection;
}

export interface CardHistoryPoint {
  /** 0..100, whole number */
  readonly score: number;
  readonly tier: CardTier;
  /** ISO 8601 UTC */
  readonly scoredAt: string;
}

interface CardBase {
  readonly contractVersion: typeof CARD_CONTRACT_VERSION;
  /** The CRM record id (HubSpot contact id, Salesforce lead/contact id). */
  readonly objectId: string;
}

export interface ScoredCard extends CardBase {
  readonly state: 'scored';
  /** Calibrated probability as a whole number 0..100. */
  readonly score: number;
  readonly tier: CardTier;
  /** Sub-scores 0..100 from the same additive model; null when rules scored (no model split). */
  readonly fitScore: number | null;
  readonly engagementScore: number | null;
  readonly confidence: CardConfidence;
  readonly route: CardRoute;
  /** In the order the scorer ranked them, at most MAX_REASONS. */
  readonly reasons: readonly CardReason[];
  /** null when the fallback rules scored (no model qualified yet). */
  readonly modelVersion: string | null;
  /** ISO 8601 UTC */
  readonly scoredAt: string;
  /** Oldest first, the latest score included, at most MAX_HISTORY. */
  readonly history: readonly CardHistoryPoint[];
}

/** No score to show: every score field is null and the lists are empty, so a card needs no guesswork. */
export interface UnscoredCard extends CardBase {
  readonly state: 'not_scored' | 'not_found';
  readonly score: null;
  readonly tier: null;
  readonly fitScore: null;
  readonly engagementScore: null;
  readonly confidence: null;
  readonly route: null;
  readonly reasons: readonly [];
  readonly modelVersion: null;
  readonly scoredAt: null;
  readonly history: readonly [];
}

export type CardContract = ScoredCard | UnscoredCard;
