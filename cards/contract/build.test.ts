import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ScoreRecord } from '../../app/kit/store/types.ts';
import { buildCardContract, cardReasons } from './build.ts';
import type { StoredScoreRow } from './build.ts';
import { STORED_ROWS, T0, storedRow } from './fixtures.ts';
import { isCardContract } from './schema.ts';
import { MAX_HISTORY, MAX_REASONS } from './types.ts';

describe('buildCardContract', () => {
  it('takes the rows app/kit/store returns (a compile-time check: cards/ imports nothing of app/)', () => {
    expectTypeOf<ScoreRecord>().toExtend<StoredScoreRow>();
  });

  it('is not_scored when there are no rows', () => {
    const card = buildCardContract('7', []);
    expect(card.state).toBe('not_scored');
    expect(card.score).toBeNull();
    expect(isCardContract(card)).toBe(true);
  });

  it('shows the newest row whatever the order of the rows', () => {
    const card = buildCardContract('7', [...STORED_ROWS].reverse());
    expect(card.score).toBe(82);
    expect(card.tier).toBe('A');
    expect(card.scoredAt).toBe(new Date(T0 + 5 * 3_600_000).toISOString());
  });

  it('rounds score and sub-scores to whole numbers within 0..100', () => {
    const card = buildCardContract('7', [storedRow({ score: 100.4, fitScore: -0.2, engagementScore: 49.5 })]);
    expect([card.score, card.fitScore, card.engagementScore]).toEqual([100, 0, 50]);
  });

  it('keeps null sub-scores and a null model version when rules scored', () => {
    const card = buildCardContract('7', [
      storedRow({ fitScore: null, engagementScore: null, modelVersion: null }),
    ]);
    expect([card.fitScore, card.engagementScore, card.modelVersion]).toEqual([null, null, null]);
    expect(isCardContract(card)).toBe(true);
  });

  it('lists history oldest first with the latest score last', () => {
    const card = buildCardContract('7', STORED_ROWS);
    expect(card.history.map((h) => h.score)).toEqual([31, 65, 82]);
  });

  it('keeps only the newest MAX_HISTORY scores in the history', () => {
    const rows = Array.from({ length: MAX_HISTORY + 5 }, (_, i) => storedRow({ score: i, scoredAt: T0 + i }));
    const card = buildCardContract('7', rows);
    expect(card.history).toHaveLength(MAX_HISTORY);
    expect(card.history[0]?.score).toBe(5);
  });

  it('skips rows whose score is not a finite number', () => {
    const card = buildCardContract('7', [storedRow({ score: Number.NaN, scoredAt: T0 + 99 }), storedRow()]);
    expect(card.score).toBe(82);
    expect(card.history).toHaveLength(1);
  });

  it('produces a contract that passes the schema', () => {
    expect(isCardContract(buildCardContract('7', STORED_ROWS))).toBe(true);
  });
});

describe('cardReasons', () => {
  it('keeps the stored order and only text and direction', () => {
    expect(cardReasons(storedRow().reasons)).toEqual([
      { text: 'Visited the pricing page 4 times in the last 7 days', direction: 'positive' },
      { text: 'Director-level title', direction: 'positive' },
      { text: 'Uses a free email domain', direction: 'negative' },
    ]);
  });

  it('caps the reasons at MAX_REASONS', () => {
    const many = Array.from({ length: 9 }, (_, i) => ({ text: `r${i}`, direction: 'positive' }));
    expect(cardReasons(many)).toHaveLength(MAX_REASONS);
  });

  it('drops malformed entries instead of failing the card', () => {
    const stored = [
      null,
      'text',
      { text: '', direction: 'positive' },
      { text: 'x', direction: 'up' },
      { text: ' ok ', direction: 'negative' },
    ];
    expect(cardReasons(stored)).toEqual([{ text: 'ok', direction: 'negative' }]);
  });

  it('is empty when the stored value is not an array', () => {
    expect(cardReasons({ text: 'x', direction: 'positive' })).toEqual([]);
  });
});
