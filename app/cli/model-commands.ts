import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import {
  DEFAULT_POLICY,
  DEFAULT_TRAINING_CONFIG,
  InvalidArtifactError,
  InvalidPolicyError,
  Scorer,
  evaluate,
  inferFeatureSpec,
  parseModelArtifact,
  parsePolicy,
  scoreLead,
  stratifiedSplit,
  trainModel,
  type DecisionPolicy,
  type Metrics,
  type ModelArtifact,
} from '../../scoring/index.ts';
import { columnIndex, readLabelledDataset, readUnlabelledDataset, type Dataset } from './dataset.ts';
import { CliError } from './errors.ts';
import { applyOverrides, readSpecOverrides } from './spec-overrides.ts';

import type { Io } from './command.ts';

function metricsLine(m: Metrics, nTrain: number, seconds: number, extra: Record<string, unknown>): string {
  return JSON.stringify({
    auc: m.auc,
    pr_auc: m.pr_auc,
    log_loss: m.log_loss,
    brier: m.brier,
    ece: m.ece,
    lift_top_decile: m.lift_top_decile,
    n_train: nTrain,
    n_test: m.n,
    seconds,
    ...extra,
  });
}

function reportSkipped(io: Io, data: Dataset): void {
  if (data.skipped.length === 0) return;
  const lines = data.skipped.slice(0, 5).map((s) => `line ${s.line} (${s.reason})`);
  io.stderr(
    `${data.path}: ${data.skipped.length} row(s) left out: ${lines.join(', ')}${data.skipped.length > 5 ? ', …' : ''}\n`,
  );
}

function subset<T>(items: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => items[i] as T);
}

export interface TrainOptions {
  data: string;
  label: string;
  exclude: string[];
  id?: string;
  test?: string;
  out: string;
  spec?: string;
}

export function train(options: TrainOptions, io: Io): void {
  const started = performance.now();
  const data = readLabelledDataset(options.data, options.label);
  reportSkipped(io, data);
  for (const column of options.exclude) columnIndex(data.table, data.path, column, '--exclude');
  if (options.id !== undefined) columnIndex(data.table, data.path, options.id, '--id');

  // Without --test, hold out a stratified 20% (seed 42) so the printed figures are out-of-sample.
  let trainIdx = data.leads.map((_, i) => i);
  let testLeads = data.leads;
  let testLabels = data.labels;
  let testData: Dataset | undefined;
  if (options.test !== undefined) {
    testData = readLabelledDataset(options.test, options.label);
    reportSkipped(io, testData);
  } else {
    const split = stratifiedSplit(data.labels, 0.2, 42);
    trainIdx = split.train;
    testLeads = subset(data.leads, split.test);
    testLabels = subset(data.labels, split.test);
  }
  if (testData) {
    testLeads = testData.leads;
    testLabels = testData.labels;
  }

  const exclude = [options.label, ...options.exclude, ...(options.id !== undefined ? [options.id] : [])];
  const overrides = options.spec !== undefined ? readSpecOverrides(options.spec) : {};
  const trainRows = subset(data.rowIndex, trainIdx).map((r) => data.table.rows[r] as string[]);
  const inferred = inferFeatureSpec(data.table.header, trainRows, {
    exclude,
    missingTokens: overrides.missingTokens ?? [],
  });
  for (const s of inferred.skipped) io.stderr(`column "${s.field}" left out: ${s.reason}\n`);
  const spec = applyOverrides(inferred.spec, overrides, data.table.header);

  const config = DEFAULT_TRAINING_CONFIG;
  const version = `lg-${createHash('sha256')
    .update(JSON.stringify([data.hash, options.label, trainIdx.length, config, spec]))
    .digest('hex')
    .slice(0, 12)}`;
  let artifact: ModelArtifact;
  try {
    artifact = trainModel(
      subset(data.leads, trainIdx),
      subset(data.labels, trainIdx),
      spec,
      { version, createdAt: io.now().toISOString(), dataHash: `sha256:${data.hash}`, label: options.label },
      config,
      (stage, detail) => {
        io.stderr(`${stage}: ${detail}\n`);
      },
    );
  } catch (error) {
    if (error instanceof RangeError) throw new CliError(`cannot train on ${data.path}: ${error.message}`);
    throw error;
  }
  for (const d of artifact.featureSpec.dropped) io.stderr(`field "${d.field}" dropped: ${d.reason}\n`);
  if (options.id !== undefined) artifact.training.idColumn = options.id;

  const scorer = new Scorer(artifact);
  const holdout = evaluate(
    testLabels,
    testLeads.map((lead) => scorer.probability(lead)),
  );
  artifact.metrics.holdout = holdout;
  writeFileSync(options.out, JSON.stringify(artifact, null, 1) + '\n');
  const seconds = (performance.now() - started) / 1000;
  io.stderr(`model ${artifact.version} written to ${options.out}\n`);
  io.stdout(
    metricsLine(holdout, trainIdx.length, seconds, {
      model_version: artifact.version,
      calibration: artifact.calibration.method,
      l2: artifact.training.l2,
      rows_skipped: data.skipped.length + (testData?.skipped.length ?? 0),
    }) + '\n',
  );
}

export function loadModel(path: string): ModelArtifact {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`cannot read model ${path}: no such file`);
    throw new CliError(`cannot read model ${path}: ${(error as Error).message}`);
  }
  try {
    return parseModelArtifact(parsed);
  } catch (error) {
    if (error instanceof InvalidArtifactError)
      throw new CliError(`${path} is not a valid leadgate model: ${error.problems.join('; ')}`);
    throw error;
  }
}

export function evaluateCommand(options: { model: string; data: string; label: string }, io: Io): void {
  const started = performance.now();
  const artifact = loadModel(options.model);
  const data = readLabelledDataset(options.data, options.label);
  reportSkipped(io, data);
  const scorer = new Scorer(artifact);
  const metrics = evaluate(
    data.labels,
    data.leads.map((lead) => scorer.probability(lead)),
  );
  io.stdout(
    metricsLine(metrics, artifact.training.rows, (performance.now() - started) / 1000, {
      model_version: artifact.version,
      rows_skipped: data.skipped.length,
    }) + '\n',
  );
}

function loadPolicy(path: string | undefined): DecisionPolicy {
  if (path === undefined) return DEFAULT_POLICY;
  try {
    return parsePolicy(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    if (error instanceof InvalidPolicyError) throw new CliError(`${path}: ${error.problems.join('; ')}`);
    throw new CliError(`cannot read policy ${path}: ${(error as Error).message}`);
  }
}

export async function scoreCommand(
  options: { model: string; data: string; out?: string; policy?: string },
  io: Io,
): Promise<void> {
  const artifact = loadModel(options.model);
  const policy = loadPolicy(options.policy);
  const data = readUnlabelledDataset(options.data);
  const idColumn = artifact.training.idColumn;
  const idIndex = idColumn !== undefined ? data.table.header.indexOf(idColumn) : -1;
  const scorer = new Scorer(artifact);
  const context = { model: scorer, policy };
  const out = options.out !== undefined ? createWriteStream(options.out) : undefined;
  const write = async (line: string): Promise<void> => {
    if (!out) {
      io.stdout(line);
      return;
    }
    if (!out.write(line)) await once(out, 'drain');
  };
  const counts = { A: 0, B: 0, C: 0, D: 0 };
  for (let i = 0; i < data.leads.length; i++) {
    const row = data.table.rows[i] as string[];
    const decision = scoreLead(context, data.leads[i] as (typeof data.leads)[number]);
    if (decision.tier) counts[decision.tier]++;
    await write(
      JSON.stringify({
        id: idIndex >= 0 ? row[idIndex] : String(i + 1),
        probability: decision.probability,
        score: decision.score,
        tier: decision.tier,
        route: decision.route,
        confidence: decision.confidence,
        fit: decision.fit,
        engagement: decision.engagement,
        reasons: decision.reasons.map((r) => ({ text: r.text, direction: r.direction, log_odds: r.weight })),
        model_version: decision.modelVersion,
        policy_version: decision.policyVersion,
      }) + '\n',
    );
  }
  if (out) {
    out.end();
    await once(out, 'finish');
  }
  io.stderr(
    `scored ${data.leads.length} rows with ${artifact.version}: A ${counts.A}, B ${counts.B}, C ${counts.C}, D ${counts.D}` +
      (options.out !== undefined ? ` → ${options.out}` : '') +
      '\n',
  );
}
