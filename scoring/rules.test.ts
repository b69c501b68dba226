import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './policy.ts';
import { InvalidRulesError, RuleScorer, parseRuleSet, type RuleSet } from './rules.ts';
import { scoreLead } from './score-lead.ts';
import { DAY_MS } from './values.ts';

const ruleSet: RuleSet = parseRuleSet({
  version: 'starter-1',
  baseScore: 20,
  missingTokens: ['Select'],
  rules: [
    {
      id: 'senior',
      when: { field: 'title', op: 'in', values: ['VP', 'Director'] },
      points: 25,
      reason: 'Senior title',
    },
    {
      id: 'big',
      when: { field: 'employees', op: 'gte', value: 500 },
      points: 15,
      reason: 'Company with 500+ employees',
    },
    {
      id: 'free-mail',
      when: { field: 'email_domain', op: 'in', values: ['gmail.com'] },
      points: -15,
      reason: 'Personal email address',
    },
    {
      id: 'pricing',
      when: { event: 'page_view', withinDays: 7, atLeast: 2, attribute: 'path', contains: '/pricing' },
      points: 20,
      reason: 'Visited pricing twice this week',
    },
    { id: 'no-title', when: { field: 'title', op: 'absent' }, points: -5, reason: 'No job title' },
  ],
});
const rules = new RuleScorer(ruleSet);
const asOf = Date.UTC(2026, 10, 1);

describe('RuleScorer', () => {
  it('adds points for each rule that fires and gives its reason', () => {
    const result = rules.score({
      attributes: { title: 'vp', employees: '1200', email_domain: 'acme.com' },
      events: [
        { type: 'page_view', occurredAt: asOf - DAY_MS, attributes: { path: '/pricing' } },
        { type: 'page_view', occurredAt: asOf - 2 * DAY_MS, attributes: { path: '/pricing/teams' } },
      ],
      asOf,
    });
    expect(result.score).toBe(80);
    expect(result.positiveReasons.map((r) => r.text)).toEqual([
      'Senior title',
      'Visited pricing twice this week',
      'Company with 500+ employees',
    ]);
  });

  it('clamps to 0..100 and reports negative reasons', () => {
    const result = rules.score({ attributes: { title: 'Select', email_domain: 'gmail.com' } });
    expect(result.score).toBe(0);
    expect(result.negativeReasons.map((r) => r.ruleId)).toEqual(['free-mail', 'no-title']);
  });
});

describe('parseRuleSet', () => {
  it('names the broken field', () => {
    expect(() => parseRuleSet({ version: 'x', baseScore: 150, rules: [] })).toThrow(
      /rules.baseScore must be <= 100/,
    );
  });

  it('refuses duplicate rule ids', () => {
    const rule = { id: 'a', when: { field: 'x', op: 'present' }, points: 1, reason: 'r' };
    expect(() => parseRuleSet({ version: 'x', baseScore: 10, rules: [rule, rule] })).toThrow(
      InvalidRulesError,
    );
  });
});

describe('scoreLead', () => {
  it('falls back to the rules when no model qualifies yet, with low confidence', () => {
    const decision = scoreLead(
      { rules, policy: DEFAULT_POLICY },
      { attributes: { title: 'VP', employees: '900' } },
    );
    expect(decision).toMatchObject({
      source: 'rules',
      score: 60,
      confidence: 'low',
      modelVersion: 'rules:starter-1',
    });
    expect(decision.notes).toContain('no model qualifies yet');
  });

  it('does not score a person without a lawful basis when policy says none', () => {
    const decision = scoreLead(
      { rules, policy: DEFAULT_POLICY },
      { attributes: { title: 'VP' } },
      { profilingAllowed: false },
    );
    expect(decision).toMatchObject({ source: 'none', score: null, route: null });
  });

  it('uses the documented rules for a person without a lawful basis when policy says rules', () => {
    const policy = { ...DEFAULT_POLICY, withoutConsent: 'rules' as const };
    const decision = scoreLead(
      { rules, policy },
      { attributes: { title: 'VP' } },
      { profilingAllowed: false },
    );
    expect(decision.source).toBe('rules');
  });

  it('reports an unscored lead when there is neither model nor rules', () => {
    expect(scoreLead({ policy: DEFAULT_POLICY }, { attributes: {} }).source).toBe('none');
  });
});
