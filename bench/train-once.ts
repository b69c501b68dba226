// Trains once in a fresh process and prints the seconds: the cold figure for bench/run.ts.
import { readLabelledDataset } from '../app/cli/dataset.ts';
import { inferFeatureSpec, stratifiedSplit, trainModel } from '../scoring/index.ts';
import { LEAKY_COLUMNS } from '../test/real-data.ts';

const path = process.argv[2] as string;
const data = readLabelledDataset(path, 'Converted');
const split = stratifiedSplit(data.labels, 0.2, 42);
const pick = <T>(items: readonly T[], idx: readonly number[]): T[] => idx.map((i) => items[i] as T);
const spec = inferFeatureSpec(data.table.header, pick(data.table.rows, split.train), {
  exclude: ['Converted', 'Prospect ID', 'Lead Number', ...LEAKY_COLUMNS],
  missingTokens: [],
}).spec;
const started = performance.now();
trainModel(pick(data.leads, split.train), pick(data.labels, split.train), spec, {
  version: 'bench',
  createdAt: '2026-01-01T00:00:00Z',
  dataHash: 'bench',
  label: 'Converted',
});
process.stdout.write(`${(performance.now() - started) / 1000}\n`);
