import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, InvalidPolicyError, decide, parsePolicy, type DecisionPolicy } from './policy.ts';

const policy = (patch: Record<string, unknown>): unknown => ({ ...DEFAULT_POLICY, ...patch });

function problemsOf(value: unknown): string[] {
  try {
    parsePolicy(value);
  } catch (error) {
    if (error instanceof InvalidPolicyError) return error.problems;
    throw error;
  }
  return [];
}

describe('parsePolicy', () => {
  it('accepts the default policy', () => {
    expect(parsePolicy(DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
  });

  it.each([
    { patch: { tiers: { A: 1.5, B: 0.3, C: 0.1 } }, message: 'policy.tiers.A must be < 1' },
    {
      patch: { tiers: { A: 0.3, B: 0.5, C: 0.1 } },
      message: 'policy.tiers.B (0.5) must be below policy.tiers.A (0.3)',
    },
    { patch: { tiers: { A: 0.6, B: 0.3 } }, message: 'policy.tiers is missing "C"' },
    {
      patch: { routes: { A: 'ae', B: 'sdr', C: 'nurture', D: 'bin' } },
      message: 'policy.routes.D must be equal to one of the allowed values',
    },
    {
      patch: { lowConfidence: 'ignore' },
      message: 'policy.lowConfidence must be equal to one of the allowed values',
    },
    {
      patch: { reviewBand: 0.1 },
      message:
        'policy.reviewBand (0.1) must be less than half the narrowest tier (0.150), or bands would overlap',
    },
    { patch: { colour: 'red' }, message: 'policy has unknown property "colour"' },
  ])('refuses $patch with "$message"', ({ patch, message }) => {
    expect(problemsOf(policy(patch))).toContain(message);
  });

  it('lists every problem, not just the first', () => {
    expect(problemsOf(policy({ lowConfidence: 'x', withoutConsent: 'y' }))).toHaveLength(2);
  });
});

describe('decide', () => {
  const p: DecisionPolicy = { ...DEFAULT_POLICY, reviewBand: 0.02 };
  it.each([
    { prob: 0.9, confidence: 'high', tier: 'A', route: 'ae' },
    { prob: 0.45, confidence: 'high', tier: 'B', route: 'sdr' },
    { prob: 0.2, confidence: 'medium', tier: 'C', route: 'nurture' },
    { prob: 0.05, confidence: 'high', tier: 'D', route: 'nurture' },
    { prob: 0.61, confidence: 'high', tier: 'A', route: 'review' }, // within 0.02 of the A/B cut-off
    { prob: 0.34, confidence: 'high', tier: 'C', route: 'review' }, // within 0.02 of the B/C cut-off
    { prob: 0.16, confidence: 'high', tier: 'C', route: 'nurture' }, // C and D both nurture: no band
    { prob: 0.9, confidence: 'low', tier: 'A', route: 'review' },
  ] as const)(
    'sends p=$prob ($confidence) to tier $tier, route $route',
    ({ prob, confidence, tier, route }) => {
      const d = decide(p, prob, confidence);
      expect(d.tier).toBe(tier);
      expect(d.route).toBe(route);
    },
  );

  it('lets a low-confidence score stand when the policy says keep', () => {
    expect(decide({ ...p, lowConfidence: 'keep' }, 0.9, 'low').route).toBe('ae');
  });
});
