import { describe, expect, it } from 'vitest';
import { detectChange, reasonsText, type WrittenView } from './change.ts';

const base: WrittenView = { score: 50, tier: 'B', route: 'sdr', reasons: '+ a' };

describe('detectChange', () => {
  it.each([
    ['nothing written yet', undefined, base, true, ['first']],
    ['identical', base, base, false, []],
    ['moved 0.9 points', base, { ...base, score: 50.9 }, false, []],
    ['moved exactly 1 point', base, { ...base, score: 51 }, true, ['score']],
    ['moved down 2 points', base, { ...base, score: 48 }, true, ['score']],
    ['tier only', base, { ...base, tier: 'A' }, true, ['tier']],
    ['route only', base, { ...base, route: 'review' }, true, ['route']],
    ['reasons only', base, { ...base, reasons: '+ b' }, true, ['reasons']],
    [
      'everything',
      base,
      { score: 90, tier: 'A', route: 'ae', reasons: '+ c' },
      true,
      ['score', 'tier', 'route', 'reasons'],
    ],
  ] as const)('%s', (_name, last, next, changed, why) => {
    expect(detectChange(last, next)).toEqual({ changed, why });
  });
});

describe('reasonsText', () => {
  it('lists up to three reasons each way, positive first, one per line', () => {
    const up = (text: string) => ({ direction: 'positive' as const, text });
    const down = (text: string) => ({ direction: 'negative' as const, text });
    expect(reasonsText([up('a'), down('x'), up('b'), up('c'), up('d'), down('y')])).toBe(
      '+ a\n+ b\n+ c\n- x\n- y',
    );
  });

  it('caps the text at 1,000 characters', () => {
    const long = { direction: 'positive' as const, text: 'z'.repeat(2_000) };
    expect(reasonsText([long])).toHaveLength(1_000);
  });
});
