/**
 * `npm run bench -- scoring` (first of `npm run bench`): training time, scoring throughput and accuracy against baselines on the real
 * X Education leads, every figure next to a baseline measured in the same run. Writes
 * bench/out/results.json and docs/benchmarks.md. Not part of the tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import { readLabelledDataset } from '../app/cli/dataset.ts';
import {
  DEFAULT_POLICY,
  Scorer,
  evaluate,
  featurize,
  inferFeatureSpec,
  scoreLead,
  stratifiedSplit,
  trainModel,
  type LeadInput,
  type Metrics,
  type SparseMatrix,
} from '../scoring/index.ts';
import { LEADS_CSV, LEAKY_COLUMNS } from '../test/real-data.ts';
import { BENCHMARKS_MD, currentSection } from './doc.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'bench', 'out');
mkdirSync(outDir, { recursive: true });
const log = (text: string): void => {
  process.stderr.write(text + '\n');
};

const data = readLabelledDataset(LEADS_CSV, 'Converted');
const split = stratifiedSplit(data.labels, 0.2, 42);
writeFileSync(join(outDir, 'split.json'), JSON.stringify(split));
const pick = <T>(items: readonly T[], idx: readonly number[]): T[] => idx.map((i) => items[i] as T);
const trainLeads = pick(data.leads, split.train);
const trainLabels = pick(data.labels, split.train);
const testLeads = pick(data.leads, split.test);
const testLabels = pick(data.labels, split.test);
const spec = inferFeatureSpec(data.table.header, pick(data.table.rows, split.train), {
  exclude: ['Converted', 'Prospect ID', 'Lead Number', ...LEAKY_COLUMNS],
  missingTokens: [],
}).spec;
const context = {
  version: 'bench',
  createdAt: '2026-01-01T00:00:00Z',
  dataHash: `sha256:${data.hash}`,
  label: 'Converted',
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

// ── Training ────────────────────────────────────────────────────────────────────────────────
log('training on the 7,392-lead training split …');
const trainSeconds: number[] = [];
let artifact = trainModel(trainLeads, trainLabels, spec, context);
for (let run = 0; run < 7; run++) {
  const started = performance.now();
  artifact = trainModel(trainLeads, trainLabels, spec, context);
  trainSeconds.push((performance.now() - started) / 1000);
}
const coldStarted = performance.now();
// A first run in a fresh process pays for JIT warm-up; the CLI sees that figure.
const coldSeconds = Number(
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'train-once.ts'), LEADS_CSV], {
    encoding: 'utf8',
  }).stdout.trim() || Number.NaN,
);
log(`cold train measured in ${((performance.now() - coldStarted) / 1000).toFixed(1)} s of process time`);
const scorer = new Scorer(artifact);
const ours: Metrics = evaluate(
  testLabels,
  testLeads.map((l) => scorer.probability(l)),
);

// ── ml-logistic-regression on the same features ─────────────────────────────────────────────
function denseWithIntercept(x: SparseMatrix): Matrix {
  const m = Matrix.zeros(x.rows, x.cols + 1);
  for (let r = 0; r < x.rows; r++) {
    m.set(r, x.cols, 1);
    for (let k = x.indptr[r] as number; k < (x.indptr[r + 1] as number); k++) {
      m.set(r, x.indices[k] as number, x.values[k] as number);
    }
  }
  return m;
}
const xTrain = denseWithIntercept(featurize(artifact.featureSpec, trainLeads));
const xTest = denseWithIntercept(featurize(artifact.featureSpec, testLeads));
const mlRuns: { steps: number; seconds: number; metrics: Metrics }[] = [];
for (const steps of [200, 1000]) {
  log(`ml-logistic-regression, ${steps} steps …`);
  const model = new LogisticRegression({ numSteps: steps, learningRate: 5e-4 });
  const started = performance.now();
  model.train(xTrain, Matrix.columnVector(trainLabels));
  const seconds = (performance.now() - started) / 1000;
  // One-vs-all: classifiers[1] was trained with class 1 relabelled 0, so P(1) = 1 − its score.
  const scores = (model.classifiers[1] as { testScores(x: Matrix): number[] })
    .testScores(xTest)
    .map((s) => 1 - s);
  mlRuns.push({ steps, seconds, metrics: evaluate(testLabels, scores) });
}

// ── Scoring throughput on 1,000,000 canonical records ────────────────────────────────────────
const N = 1_000_000;
const all: LeadInput[] = data.leads;
const records: LeadInput[] = Array.from({ length: N }, (_, i) => all[i % all.length] as LeadInput);
const matrix = featurize(artifact.featureSpec, all);
const weights = Float64Array.from(artifact.weights);

function bareLoop(): number {
  // The floor: a dot product over an already-built sparse feature matrix, nothing else.
  let checksum = 0;
  const { indptr, indices, values } = matrix;
  for (let i = 0; i < N; i++) {
    const r = i % matrix.rows;
    let z = artifact.intercept;
    for (let k = indptr[r] as number; k < (indptr[r + 1] as number); k++) {
      z += (values[k] as number) * (weights[indices[k] as number] as number);
    }
    checksum += 1 / (1 + Math.exp(-z));
  }
  return checksum;
}
function scoreOnly(): number {
  let checksum = 0;
  for (let i = 0; i < N; i++) checksum += scorer.probability(records[i] as LeadInput);
  return checksum;
}
const scoringContext = { model: scorer, policy: DEFAULT_POLICY };
function fullDecision(): number {
  let checksum = 0;
  for (let i = 0; i < N; i++) checksum += scoreLead(scoringContext, records[i] as LeadInput).reasons.length;
  return checksum;
}
function rate(fn: () => number, label: string): number {
  fn(); // warm-up
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    fn();
    runs.push(N / ((performance.now() - started) / 1000));
  }
  log(`${label}: ${Math.round(median(runs)).toLocaleString('en-US')} rows/s`);
  return median(runs);
}
const bare = rate(bareLoop, 'bare dot-product loop');
const probabilityOnly = rate(scoreOnly, 'score only');
const full = rate(fullDecision, 'score + explanations + decision');

// ── scikit-learn on the same split (optional: needs Debian's python3-sklearn) ────────────────
type SklearnResult =
  { ok: true; models: Record<string, Record<string, number>> } | { ok: false; skipped: string };
let sklearn: SklearnResult;
const python = spawnSync(
  '/usr/bin/python3',
  [join(root, 'bench', 'sklearn_compare.py'), LEADS_CSV, join(outDir, 'split.json')],
  { encoding: 'utf8' },
);
if (python.status === 0) {
  sklearn = { ok: true, models: JSON.parse(python.stdout) as Record<string, Record<string, number>> };
} else {
  const why = (python.stderr || String(python.error ?? 'python3 not found')).trim().split('\n').pop() ?? '';
  sklearn = { ok: false, skipped: why };
  log(`scikit-learn comparison skipped: ${why}`);
}

// Other work on the machine slows every row alike; the load average says how busy it was, and the
// ratios to the bare loop (measured in the same run) are the figures to compare across runs.
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ')} (1/5/15 min) at the end of the run`;
const results = {
  machine,
  date: new Date().toISOString(),
  split: { train: split.train.length, test: split.test.length, seed: 42 },
  training: {
    medianSeconds: median(trainSeconds),
    firstRunInFreshProcessSeconds: coldSeconds,
    runs: trainSeconds,
  },
  leadgate: {
    ...ours,
    calibration: artifact.calibration.method,
    l2: artifact.training.l2,
    crossValidatedEce: artifact.metrics.crossValidated.ece,
  },
  mlLogisticRegression: mlRuns,
  sklearn,
  throughput: { rows: N, bareLoop: bare, scoreOnly: probabilityOnly, scoreExplainDecide: full },
};
writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2));

const f3 = (v: number | undefined): string => (v === undefined ? '–' : v.toFixed(3));
const rows = (
  name: string,
  m: Partial<Metrics> | Record<string, number> | undefined,
  seconds?: number,
): string =>
  `| ${name} | ${f3(m?.auc)} | ${f3(m?.pr_auc)} | ${f3(m?.log_loss)} | ${f3(m?.brier)} | ${f3(m?.ece)} | ${f3(m?.lift_top_decile)} | ${seconds === undefined ? '–' : seconds.toFixed(2)} |`;
const sk = sklearn.ok ? sklearn.models : undefined;
const perSecond = (v: number): string => Math.round(v).toLocaleString('en-US');
const markdown = `# Benchmarks

Produced by \`npm run bench\` (bench/run.ts); every figure below comes from one run, and each speed is
given next to a baseline measured in that same run. Re-run it after any change to \`scoring/\`.

- Machine: ${machine}
- Date: ${results.date.slice(0, 10)}
- Data: X Education leads (\`../shared/data/leads-x-education/Leads.csv\`, 9,240 rows) without the leaky
  columns; stratified 80/20 split, seed 42 (${split.train.length} train / ${split.test.length} test), exported to \`bench/out/split.json\`
  so scikit-learn is measured on the very same rows.

## Accuracy and calibration on the held-out ${split.test.length} leads

| model | ROC AUC | PR AUC | log loss | Brier | ECE | lift top 10% | train s |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows(`leadgate (L2 logistic, λ=${artifact.training.l2} by 5-fold CV, ${artifact.calibration.method} calibration)`, ours, median(trainSeconds))}
${rows('scikit-learn LogisticRegression (C=1, one-hot + scaled numerics)', sk?.sklearn_logistic_regression)}
${rows('scikit-learn HistGradientBoosting (not additive; reference only)', sk?.sklearn_gradient_boosting)}
${mlRuns.map((r) => rows(`ml-logistic-regression, ${r.steps} gradient steps, same features`, r.metrics, r.seconds)).join('\n')}

${sklearn.ok ? '' : `scikit-learn rows skipped: ${sklearn.skipped}. Install Debian's python3-sklearn to fill them.\n`}
Cross-validated ECE of leadgate on the 7,392 training leads: ${f3(artifact.metrics.crossValidated.ece)}. ECE on 1,848
leads is noisy: a perfectly calibrated model with these predictions shows 0.021 on average and 0.032 at
the 99th percentile (docs/decisions.md).

## Training time (7,392 leads, cross-validation and calibration included)

| measure | seconds |
| --- | --- |
| median of 7 runs in a warm process | ${median(trainSeconds).toFixed(3)} |
| first run in a fresh process (what \`leadgate train\` pays) | ${coldSeconds.toFixed(3)} |
| ml-logistic-regression, 1000 steps (no CV, no calibration) | ${(mlRuns[1]?.seconds ?? Number.NaN).toFixed(3)} |

Target: under 0.5 s.

## Scoring throughput (${N.toLocaleString('en-US')} canonical records, the real set replicated, one core)

| path | rows/s | ratio to the bare loop |
| --- | --- | --- |
| bare dot-product loop over the pre-built sparse feature matrix (baseline) | ${perSecond(bare)} | 1.00 |
| score only (\`Scorer.probability\` from records) | ${perSecond(probabilityOnly)} | ${(probabilityOnly / bare).toFixed(2)} |
| score + explanations + decision (\`scoreLead\`) | ${perSecond(full)} | ${(full / bare).toFixed(2)} |

Target: score + explanations + decision at ≥ 500,000 leads/s.
`;
// The HubSpot section (bench/hubspot.ts) is kept as the last run left it.
const hubspot = currentSection('hubspot');
writeFileSync(BENCHMARKS_MD, hubspot === '' ? markdown : `${markdown}\n${hubspot}\n`);
log(markdown);
