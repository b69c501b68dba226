import { describe, expect, it } from 'vitest';
import { syntheticLeads } from '../test/synthetic-leads.ts';
import { applyCalibration } from './calibration.ts';
import { parseModelArtifact, InvalidArtifactError, type ModelArtifact } from './artifact.ts';
import type { FeatureSpec } from './feature-spec.ts';
import { rocAuc } from './metrics.ts';
import { Scorer } from './scorer.ts';
import { trainModel } from './train.ts';
import type { LeadInput } from './types.ts';

const spec: FeatureSpec = {
  version: 'synthetic-1',
  fields: [
    { kind: 'categorical', field: 'industry', label: 'Industry', group: 'fit' },
    {
      kind: 'categorical',
      field: 'title',
      label: 'Title',
      group: 'fit',
      text: { value: 'Title is {value}' },
    },
    { kind: 'numeric', field: 'employees', label: 'Employees', group: 'fit' },
    {
      kind: 'numeric',
      field: 'pricing_visits_30d',
      label: 'Pricing page visits',
      group: 'engagement',
      text: { value: 'Visited the pricing page {value} times in the last 30 days' },
    },
    { kind: 'boolean', field: 'newsletter', label: 'Newsletter subscriber', group: 'engagement' },
  ],
};

const rows = syntheticLeads(4000, 11);
const leads: LeadInput[] = rows.map((r) => ({ attributes: { ...r } }));
const labels = rows.map((r) => Number(r.converted));
const context = {
  version: 'test-1',
  createdAt: '2026-11-27T00:00:00Z',
  dataHash: 'sha256:test',
  label: 'converted',
};
const artifact = trainModel(leads.slice(0, 3000), labels.slice(0, 3000), spec, context);
const scorer = new Scorer(artifact);
const heldOut = leads.slice(3000);

describe('a model trained on synthetic leads', () => {
  it('ranks held-out leads nearly as well as the true odds do', () => {
    const truth = rocAuc(
      labels.slice(3000),
      rows.slice(3000).map((r) => r.trueLogit),
    );
    const model = rocAuc(
      labels.slice(3000),
      heldOut.map((l) => scorer.probability(l)),
    );
    expect(model).toBeGreaterThan(truth - 0.02);
  });

  it('learns the true direction of each effect', () => {
    const vp = scorer.probability({
      attributes: {
        industry: 'Software',
        title: 'VP',
        employees: '500',
        pricing_visits_30d: '3',
        newsletter: 'Yes',
      },
    });
    const student = scorer.probability({
      attributes: {
        industry: 'Education',
        title: 'Student',
        employees: '500',
        pricing_visits_30d: '3',
        newsletter: 'Yes',
      },
    });
    expect(vp).toBeGreaterThan(student);
  });
});

describe('explanations', () => {
  it('sum exactly to the logit for every lead', () => {
    for (const lead of heldOut.slice(0, 200)) {
      const { baselineLogit, logit, fields } = scorer.explain(lead);
      const sum = fields.reduce((s, f) => s + f.contribution, baselineLogit);
      expect(sum).toBeCloseTo(logit, 10);
      expect(scorer.score(lead).logit).toBeCloseTo(logit, 10);
    }
  });

  it('split into fit and engagement sub-scores from the same contributions', () => {
    for (const lead of heldOut.slice(0, 50)) {
      const { fields } = scorer.explain(lead);
      const sum = (group: string): number =>
        fields.filter((f) => f.group === group).reduce((s, f) => s + f.contribution, scorer.baselineLogit);
      const result = scorer.score(lead);
      expect(result.fit).toBe(Math.round(applyCalibration(artifact.calibration, sum('fit')) * 100));
      expect(result.engagement).toBe(
        Math.round(applyCalibration(artifact.calibration, sum('engagement')) * 100),
      );
    }
  });

  it('names the strongest reasons either way in plain words, strongest first', () => {
    const result = scorer.score({
      attributes: {
        industry: 'Software',
        title: 'VP',
        employees: '5000',
        pricing_visits_30d: '6',
        newsletter: 'No',
      },
    });
    expect(result.reasons.filter((r) => r.direction === 'positive').map((r) => r.text)).toContain(
      'Visited the pricing page 6 times in the last 30 days',
    );
    expect(result.reasons.filter((r) => r.direction === 'positive').map((r) => r.text)).toContain(
      'Title is VP',
    );
    const weights = result.reasons.filter((r) => r.direction === 'positive').map((r) => r.weight);
    expect([...weights].sort((a, b) => b - a)).toEqual(weights);
    expect(result.reasons.filter((r) => r.direction === 'negative').every((r) => r.weight < 0)).toBe(true);
    expect(result.reasons.filter((r) => r.direction === 'positive').length).toBeLessThanOrEqual(3);
  });
});

describe('confidence', () => {
  it('is high for a complete lead like those in training', () => {
    const result = scorer.score({
      attributes: {
        industry: 'Finance',
        title: 'Manager',
        employees: '200',
        pricing_visits_30d: '1',
        newsletter: 'No',
      },
    });
    expect(result.confidence).toBe('high');
  });

  it('drops when the signals that matter are missing', () => {
    const result = scorer.score({ attributes: { industry: 'Finance' } });
    expect(result.confidence).toBe('low');
    expect(result.confidenceNotes.join(' ')).toMatch(/missing/);
  });

  it('drops for values the model never saw', () => {
    const result = scorer.score({
      attributes: {
        industry: 'Aerospace',
        title: 'Astronaut',
        employees: '200',
        pricing_visits_30d: '1',
        newsletter: 'No',
      },
    });
    expect(result.confidence).toBe('low');
    expect(result.reasons.some((r) => r.text.includes('not seen in training'))).toBe(true);
  });

  it('is never high for a model that learned from few conversions', () => {
    const young: ModelArtifact = { ...artifact, training: { ...artifact.training, positives: 30 } };
    const result = new Scorer(young).score(heldOut[0] as LeadInput);
    expect(result.confidence).toBe('low');
  });
});

describe('model artifact', () => {
  it('scores bit-identically after a save and load', () => {
    const reloaded = new Scorer(parseModelArtifact(JSON.parse(JSON.stringify(artifact))));
    for (const lead of heldOut.slice(0, 500)) {
      expect(Object.is(reloaded.probability(lead), scorer.probability(lead))).toBe(true);
    }
  });

  it('records how it was trained', () => {
    expect(artifact.training).toMatchObject({ rows: 3000, dataHash: 'sha256:test', converged: true });
    expect(artifact.metrics.crossValidated.auc).toBeGreaterThan(0.7);
  });

  it('is refused when a field is missing, naming the field', () => {
    const broken = JSON.parse(JSON.stringify(artifact)) as Record<string, unknown>;
    delete broken.calibration;
    expect(() => parseModelArtifact(broken)).toThrow(/model is missing "calibration"/);
  });

  it('is refused when weights do not match the columns', () => {
    const broken = JSON.parse(JSON.stringify(artifact)) as ModelArtifact;
    broken.weights.pop();
    expect(() => parseModelArtifact(broken)).toThrow(InvalidArtifactError);
  });
});
