import { readFileSync } from 'node:fs';
import { parseRuleSet, RuleScorer, type RuleSet } from '../../scoring/index.ts';

/**
 * The fallback rule set a tenant scores with until a model qualifies (design §5): shipped as JSON so
 * RevOps can read and change it, validated by the scoring core's schema when the module loads, so a
 * broken file stops the process at start-up instead of at the first lead.
 */
export const DEFAULT_RULE_SET: RuleSet = parseRuleSet(
  JSON.parse(readFileSync(new URL('./default-rules.json', import.meta.url), 'utf8')),
);

export const DEFAULT_RULES = new RuleScorer(DEFAULT_RULE_SET);
