import { beforeAll, describe, expect, it } from 'vitest';
import { readLabelledDataset } from '../app/cli/dataset.ts';
import {
  Scorer,
  evaluate,
  inferFeatureSpec,
  stratifiedSplit,
  trainModel,
  type LeadInput,
  type ModelArtifact,
} from '../scoring/index.ts';
import { LEADS_CSV, LEAKY_COLUMNS, realDataAvailable } from './real-data.ts';

/**
 * The bar from the scoring-core issue, on the real X Education leads without the leaky columns,
 * stratified 80/20 split with seed 42.
 */
describe.runIf(realDataAvailable())('on the real X Education leads', () => {
  // Vitest runs a describe body while collecting, even when runIf skips the suite: reading the leads
  // there made `npm test` fail on a clone without ../shared (issue 14). The work happens in beforeAll,
  // which a skipped suite never runs.
  let artifact: ModelArtifact;
  let scorer: Scorer;
  let testLeads: LeadInput[];
  let metrics: ReturnType<typeof evaluate>;
  beforeAll(() => {
    const data = readLabelledDataset(LEADS_CSV, 'Converted');
    const split = stratifiedSplit(data.labels, 0.2, 42);
    const pick = <T>(items: readonly T[], idx: readonly number[]): T[] => idx.map((i) => items[i] as T);
    const inferred = inferFeatureSpec(data.table.header, pick(data.table.rows, split.train), {
      exclude: ['Converted', 'Prospect ID', 'Lead Number', ...LEAKY_COLUMNS],
      missingTokens: [],
    });
    artifact = trainModel(pick(data.leads, split.train), pick(data.labels, split.train), inferred.spec, {
      version: 'real-test',
      createdAt: '2026-11-27T00:00:00Z',
      dataHash: `sha256:${data.hash}`,
      label: 'Converted',
    });
    scorer = new Scorer(artifact);
    testLeads = pick(data.leads, split.test);
    const testLabels = pick(data.labels, split.test);
    metrics = evaluate(
      testLabels,
      testLeads.map((lead) => scorer.probability(lead)),
    );
  });

  it('uses no column that leaks the outcome', () => {
    const used = artifact.featureSpec.fields.map((f) => f.field);
    for (const leak of LEAKY_COLUMNS) expect(used).not.toContain(leak);
  });

  it('ranks held-out leads with ROC AUC of at least 0.84', () => {
    expect(metrics.auc).toBeGreaterThanOrEqual(0.84);
  });

  it('is calibrated to an ECE of at most 0.03 on cross-validated predictions over the 7,392 training leads', () => {
    expect(artifact.metrics.crossValidated.n).toBe(7392);
    expect(artifact.metrics.crossValidated.ece).toBeLessThanOrEqual(0.03);
  });

  it('stays within the sampling noise of a calibrated model on the 1,848 held-out leads (ECE ≤ 0.04)', () => {
    // See docs/decisions.md: a perfectly calibrated model shows ECE 0.021 on average, 0.032 at the 99th
    // percentile on a test set of this size and spread; scikit-learn's logistic regression shows 0.039 here.
    expect(metrics.ece).toBeLessThanOrEqual(0.04);
  });

  it('explains every held-out lead exactly: contributions sum to the logit', () => {
    let worst = 0;
    for (const lead of testLeads) {
      const { baselineLogit, logit, fields } = scorer.explain(lead);
      const sum = fields.reduce((s, f) => s + f.contribution, baselineLogit);
      worst = Math.max(worst, Math.abs(sum - logit));
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('gives every lead plain-language reasons', () => {
    const result = scorer.score(testLeads[0] as LeadInput);
    expect(result.reasons.length).toBeGreaterThan(0);
    for (const reason of result.reasons) expect(reason.text).toMatch(/^[A-Z]/);
  });
});
