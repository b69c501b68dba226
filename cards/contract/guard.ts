/**
 * A dependency-free check of the card contract for the card bundles: HubSpot cards run in a
 * sandboxed worker (no `window`, hubspot.md §7.1), where ajv's generated code and its size are
 * unwelcome. schema.test.ts keeps this guard and the ajv schema agreeing on the same samples.
 */
import {
  CARD_CONTRACT_VERSION,
  CARD_STATES,
  CONFIDENCES,
  DIRECTIONS,
  MAX_HISTORY,
  MAX_REASONS,
  ROUTES,
  TIERS,
} from './types.ts';
import type { CardContract } from './types.ts';

type Dict = Record<string, unknown>;

const KEYS = [
  'contractVersion',
  'objectId',
  'state',
  'score',
  'tier',
  'fitScore',
  'engagementScore',
  'confidence',
  'route',
  'reasons',
  'modelVersion',
  'scoredAt',
  'history',
];

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasExactly(v: Dict, keys: readonly string[]): boolean {
  const own = Object.keys(v);
  return own.length === keys.length && keys.every((k) => Object.hasOwn(v, k));
}

function isOneOf(v: unknown, values: readonly string[]): boolean {
  return typeof v === 'string' && values.includes(v);
}

function isPercent(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100;
}

function isIso(v: unknown): boolean {
  return typeof v === 'string' && ISO_UTC.test(v);
}

function isReason(v: unknown): boolean {
  return (
    isDict(v) &&
    hasExactly(v, ['text', 'direction']) &&
    typeof v.text === 'string' &&
    v.text.length > 0 &&
    v.text.length <= 500 &&
    isOneOf(v.direction, DIRECTIONS)
  );
}

function isHistoryPoint(v: unknown): boolean {
  return (
    isDict(v) &&
    hasExactly(v, ['score', 'tier', 'scoredAt']) &&
    isPercent(v.score) &&
    isOneOf(v.tier, TIERS) &&
    isIso(v.scoredAt)
  );
}

function isScored(v: Dict): boolean {
  return (
    isPercent(v.score) &&
    isOneOf(v.tier, TIERS) &&
    (v.fitScore === null || isPercent(v.fitScore)) &&
    (v.engagementScore === null || isPercent(v.engagementScore)) &&
    isOneOf(v.confidence, CONFIDENCES) &&
    isOneOf(v.route, ROUTES) &&
    Array.isArray(v.reasons) &&
    v.reasons.length <= MAX_REASONS &&
    v.reasons.every(isReason) &&
    (v.modelVersion === null ||
      (typeof v.modelVersion === 'string' && v.modelVersion.length > 0 && v.modelVersion.length <= 200)) &&
    isIso(v.scoredAt) &&
    Array.isArray(v.history) &&
    v.history.length >= 1 &&
    v.history.length <= MAX_HISTORY &&
    v.history.every(isHistoryPoint)
  );
}

function isUnscored(v: Dict): boolean {
  const nulls = [
    'score',
    'tier',
    'fitScore',
    'engagementScore',
    'confidence',
    'route',
    'modelVersion',
    'scoredAt',
  ];
  return (
    nulls.every((k) => v[k] === null) &&
    Array.isArray(v.reasons) &&
    v.reasons.length === 0 &&
    Array.isArray(v.history) &&
    v.history.length === 0
  );
}

/** The value as a card contract, or null when it is not one (a card then shows its error state). */
export function parseCardContract(value: unknown): CardContract | null {
  if (!isDict(value) || !hasExactly(value, KEYS)) return null;
  if (value.contractVersion !== CARD_CONTRACT_VERSION) return null;
  if (typeof value.objectId !== 'string' || value.objectId.length === 0 || value.objectId.length > 100)
    return null;
  if (!isOneOf(value.state, CARD_STATES)) return null;
  const ok = value.state === 'scored' ? isScored(value) : isUnscored(value);
  return ok ? (value as unknown as CardContract) : null;
}
