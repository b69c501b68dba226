import { describe, expect, it } from 'vitest';
import { NOT_FOUND_CARD, NOT_SCORED_CARD, SCORED_CARD } from './fixtures.ts';
import { parseCardContract } from './guard.ts';
import { cardContractProblems, isCardContract } from './schema.ts';

const VALID: [string, unknown][] = [
  ['scored', SCORED_CARD],
  ['not_scored', NOT_SCORED_CARD],
  ['not_found', NOT_FOUND_CARD],
  ['scored by rules', { ...SCORED_CARD, fitScore: null, engagementScore: null, modelVersion: null }],
  ['scored without reasons', { ...SCORED_CARD, reasons: [] }],
];

const INVALID: [string, unknown][] = [
  ['null', null],
  ['an array', [SCORED_CARD]],
  ['a missing field', Object.fromEntries(Object.entries(SCORED_CARD).filter(([k]) => k !== 'route'))],
  ['an extra field', { ...SCORED_CARD, email: 'a@b.c' }],
  ['another contract version', { ...SCORED_CARD, contractVersion: 2 }],
  ['an unknown state', { ...SCORED_CARD, state: 'pending' }],
  ['a score above 100', { ...SCORED_CARD, score: 101 }],
  ['a fractional score', { ...SCORED_CARD, score: 50.5 }],
  ['an unknown tier', { ...SCORED_CARD, tier: 'E' }],
  ['an unknown route', { ...SCORED_CARD, route: 'cs' }],
  ['an unknown confidence', { ...SCORED_CARD, confidence: 'certain' }],
  ['seven reasons', { ...SCORED_CARD, reasons: Array(7).fill({ text: 'x', direction: 'positive' }) }],
  ['a reason without direction', { ...SCORED_CARD, reasons: [{ text: 'x' }] }],
  ['a reason with an empty text', { ...SCORED_CARD, reasons: [{ text: '', direction: 'negative' }] }],
  ['a local-time scoredAt', { ...SCORED_CARD, scoredAt: '2026-11-20T09:00:00+01:00' }],
  ['an epoch scoredAt', { ...SCORED_CARD, scoredAt: 1_700_000_000_000 }],
  ['a scored card without history', { ...SCORED_CARD, history: [] }],
  ['eleven history points', { ...SCORED_CARD, history: Array(11).fill(SCORED_CARD.history[0]) }],
  ['a scored card with a null score', { ...SCORED_CARD, score: null }],
  ['an unscored card with a score', { ...NOT_SCORED_CARD, score: 10 }],
  ['an unscored card with reasons', { ...NOT_FOUND_CARD, reasons: [{ text: 'x', direction: 'positive' }] }],
  ['an empty objectId', { ...SCORED_CARD, objectId: '' }],
];

describe('card contract schema and guard', () => {
  it.each(VALID)('both accept %s', (_name, value) => {
    expect(cardContractProblems(value)).toEqual([]);
    expect(parseCardContract(value)).toBe(value);
  });

  it.each(INVALID)('both reject %s', (_name, value) => {
    expect(isCardContract(value)).toBe(false);
    expect(parseCardContract(value)).toBeNull();
  });

  it('names the field at fault', () => {
    expect(cardContractProblems({ ...SCORED_CARD, score: 101 }).join('\n')).toContain('/score');
  });
});
