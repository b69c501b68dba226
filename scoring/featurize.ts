import type {
  CategoricalFieldSpec,
  DroppedField,
  FeatureSpec,
  FieldSpec,
  FittedFeatureSpec,
  FittedField,
  NumericTransform,
} from './feature-spec.ts';
import { MISSING_LEVEL } from './feature-spec.ts';
import { SparseBuilder, type SparseMatrix } from './sparse.ts';
import type { LeadInput, Value } from './types.ts';
import {
  MissingTokens,
  categoryKey,
  readBoolean,
  readEventCount,
  readEventRecency,
  readNumber,
  type Reading,
} from './values.ts';

/**
 * Learns the feature transforms from training leads and turns leads into model columns.
 *
 * Column layout per field:
 * - numeric, event_count, event_recency: [scaled value, missing indicator, bin 0 … bin k]
 * - categorical: [one column per kept level …, rare, unknown] (missing is a level of its own when common)
 * - boolean: [value, missing indicator]
 */

const DEFAULT_BINS = 8;
const CLIP_QUANTILE = 0.005;
const SKEW_FOR_LOG = 1;

/** Reads the numeric value behind a numeric-valued field. */
export function readNumericField(
  field: Extract<FieldSpec, { kind: 'numeric' | 'event_count' | 'event_recency' }>,
  lead: LeadInput,
  missing: MissingTokens,
): Reading {
  switch (field.kind) {
    case 'numeric':
      return readNumber(lead.attributes[field.field], missing);
    case 'event_count':
      return readEventCount(lead, field.eventType, field.windowDays, field.match);
    case 'event_recency':
      return readEventRecency(lead, field.eventType, field.match);
  }
}

function quantileSorted(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (position - lo);
}

function skewness(values: readonly number[]): number {
  const n = values.length;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  for (const v of values) {
    const d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= n;
  m3 /= n;
  return m2 === 0 ? 0 : m3 / m2 ** 1.5;
}

/** Fits clip range, log choice, scaler, bins and quantiles from the non-missing training values. */
export function fitNumericTransform(
  values: readonly number[],
  options: { log: boolean | 'auto' | undefined; bins: number | undefined },
): NumericTransform {
  const sorted = values.slice().sort((a, b) => a - b);
  const trainMin = sorted[0] as number;
  const trainMax = sorted[sorted.length - 1] as number;
  const clipLow = quantileSorted(sorted, CLIP_QUANTILE);
  const clipHigh = quantileSorted(sorted, 1 - CLIP_QUANTILE);
  const clipped = sorted.map((v) => Math.min(clipHigh, Math.max(clipLow, v)));
  const wantLog = options.log ?? 'auto';
  const log =
    wantLog === 'auto' ? trainMin >= 0 && skewness(clipped) > SKEW_FOR_LOG : wantLog && trainMin >= 0;
  const scaled = log ? clipped.map((v) => Math.log1p(v)) : clipped;
  let mean = 0;
  for (const v of scaled) mean += v;
  mean /= scaled.length;
  let variance = 0;
  for (const v of scaled) variance += (v - mean) ** 2;
  const sd = Math.sqrt(variance / scaled.length) || 1;
  const binCount = options.bins ?? DEFAULT_BINS;
  const edges: number[] = [];
  for (let k = 1; k < binCount; k++) {
    const edge = quantileSorted(sorted, k / binCount);
    // Edges must split the data: drop duplicates (many leads share 0) and the maximum itself.
    if (edge < trainMax && (edges.length === 0 || edge > (edges[edges.length - 1] as number)))
      edges.push(edge);
  }
  const quantiles: number[] = [];
  for (let k = 0; k <= 20; k++) quantiles.push(quantileSorted(sorted, k / 20));
  return { log, clipLow, clipHigh, mean, sd, edges, quantiles, trainMin, trainMax };
}

/** The scaled linear value of a raw number under a fitted transform. */
export function scaleValue(t: NumericTransform, raw: number): number {
  const clipped = raw < t.clipLow ? t.clipLow : raw > t.clipHigh ? t.clipHigh : raw;
  return ((t.log ? Math.log1p(clipped) : clipped) - t.mean) / t.sd;
}

/** Index of the bin holding a raw number: edges[k-1] < v ≤ edges[k]. */
export function binIndex(edges: readonly number[], raw: number): number {
  let k = 0;
  while (k < edges.length && raw > (edges[k] as number)) k++;
  return k;
}

/** How often each raw value of an attribute occurs. */
function countRawValues(leads: readonly LeadInput[], field: string): Map<Value, number> {
  const counts = new Map<Value, number>();
  for (const lead of leads) {
    const raw = lead.attributes[field];
    counts.set(raw, (counts.get(raw) ?? 0) + 1);
  }
  return counts;
}

function defaultMinCount(rows: number): number {
  return Math.max(10, Math.ceil(rows * 0.005));
}

function fitCategorical(
  field: CategoricalFieldSpec,
  leads: readonly LeadInput[],
  missing: MissingTokens,
): { levels: string[]; display: string[]; rare: string[] } | DroppedField {
  // Count raw values first: CRM fields repeat a handful of values, so each is normalised once.
  const counts = new Map<string, number>();
  const spellings = new Map<string, Map<string, number>>();
  for (const [raw, n] of countRawValues(leads, field.field)) {
    const key = categoryKey(raw, missing) ?? MISSING_LEVEL;
    counts.set(key, (counts.get(key) ?? 0) + n);
    const shown = key === MISSING_LEVEL ? MISSING_LEVEL : String(raw).trim();
    const forKey = spellings.get(key) ?? new Map<string, number>();
    forKey.set(shown, (forKey.get(shown) ?? 0) + n);
    spellings.set(key, forKey);
  }
  if (counts.size < 2) return { field: field.field, reason: 'has a single value in training' };
  const minCount = field.minCount ?? defaultMinCount(leads.length);
  const kept = [...counts.entries()]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([key]) => key);
  if (kept.length === 0) return { field: field.field, reason: 'has no level seen often enough' };
  const display = kept.map((key) => {
    const forKey = spellings.get(key) as Map<string, number>;
    return [...forKey.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? key;
  });
  const keptSet = new Set(kept);
  const rare = [...counts.keys()].filter((key) => !keptSet.has(key)).sort();
  return { levels: kept, display, rare };
}

/** Learns every field's transform from the training leads. Fields that carry no signal are dropped, with a reason. */
export function fitFeatureSpec(spec: FeatureSpec, leads: readonly LeadInput[]): FittedFeatureSpec {
  if (leads.length === 0) throw new RangeError('no training leads');
  const missingTokens = spec.missingTokens ?? [];
  const missing = new MissingTokens(missingTokens);
  const fields: FittedField[] = [];
  const dropped: DroppedField[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const field of spec.fields) {
    if (seen.has(field.field)) throw new RangeError(`feature spec names field "${field.field}" twice`);
    seen.add(field.field);
    if (field.kind === 'categorical') {
      const fitted = fitCategorical(field, leads, missing);
      if ('reason' in fitted) {
        dropped.push(fitted);
        continue;
      }
      const width = fitted.levels.length + 2;
      fields.push({
        ...field,
        offset,
        width,
        levels: fitted.levels,
        display: fitted.display,
        rare: fitted.rare,
      });
      offset += width;
    } else if (field.kind === 'boolean') {
      const distinct = new Set(
        [...countRawValues(leads, field.field).keys()].map((raw) => {
          const value = readBoolean(raw, missing).value;
          return Number.isNaN(value) ? 'missing' : value;
        }),
      );
      if (distinct.size < 2) {
        dropped.push({ field: field.field, reason: 'has a single value in training' });
        continue;
      }
      fields.push({ ...field, offset, width: 2 });
      offset += 2;
    } else {
      const values: number[] = [];
      let missingCount = 0;
      const add = (value: number, times: number): void => {
        if (Number.isNaN(value)) missingCount += times;
        else for (let k = 0; k < times; k++) values.push(value);
      };
      if (field.kind === 'numeric') {
        for (const [raw, n] of countRawValues(leads, field.field)) add(readNumber(raw, missing).value, n);
      } else {
        for (const lead of leads) add(readNumericField(field, lead, missing).value, 1);
      }
      if (values.length === 0) {
        dropped.push({ field: field.field, reason: 'is missing in every training lead' });
        continue;
      }
      const transform = fitNumericTransform(values, {
        log: field.kind === 'numeric' ? field.log : 'auto',
        bins: field.bins,
      });
      if (transform.trainMin === transform.trainMax && missingCount === 0) {
        dropped.push({ field: field.field, reason: 'has a single value in training' });
        continue;
      }
      const width = 2 + transform.edges.length + 1;
      fields.push({ ...field, offset, width, transform });
      offset += width;
    }
  }
  if (fields.length === 0) throw new RangeError('no usable fields: every field was dropped');
  return { version: spec.version, missingTokens, fields, dropped, columns: offset };
}

/** Column of a category key: its own level, else "rare" if training saw it, else "unknown". */
export function categoryColumn(field: Extract<FittedField, { kind: 'categorical' }>, key: string): number {
  const level = field.levels.indexOf(key);
  if (level >= 0) return level;
  return field.rare.includes(key) ? field.levels.length : field.levels.length + 1;
}

/** Writes one field's columns of one lead. */
type FieldWriter = (lead: LeadInput, builder: SparseBuilder) => void;

/** A field's non-zero (column, value) pairs for one raw value; empty pairs are not written. */
type Entries = readonly (readonly [number, number])[];

/** Attribute fields depend on one raw value each: memoise its entries, as the scorer does. */
function memoised(field: string, entriesOf: (raw: Value) => Entries): FieldWriter {
  const memo = new Map<Value, Entries>();
  return (lead, builder) => {
    const raw = lead.attributes[field];
    let entries = memo.get(raw);
    if (entries === undefined) {
      entries = entriesOf(raw);
      if (memo.size < 10_000) memo.set(raw, entries);
    }
    for (const [column, value] of entries) builder.push(column, value);
  };
}

function numericEntries(
  field: Extract<FittedField, { offset: number; transform: NumericTransform }>,
  reading: Reading,
): Entries {
  if (Number.isNaN(reading.value)) return [[field.offset + 1, 1]];
  return [
    [field.offset, scaleValue(field.transform, reading.value)],
    [field.offset + 2 + binIndex(field.transform.edges, reading.value), 1],
  ];
}

function fieldWriter(field: FittedField, missing: MissingTokens): FieldWriter {
  switch (field.kind) {
    case 'categorical':
      return memoised(field.field, (raw) => [
        [field.offset + categoryColumn(field, categoryKey(raw, missing) ?? MISSING_LEVEL), 1],
      ]);
    case 'boolean':
      return memoised(field.field, (raw) => {
        const reading = readBoolean(raw, missing);
        return Number.isNaN(reading.value) ? [[field.offset + 1, 1]] : [[field.offset, reading.value]];
      });
    case 'numeric':
      return memoised(field.field, (raw) => numericEntries(field, readNumber(raw, missing)));
    default:
      return (lead, builder) => {
        for (const [column, value] of numericEntries(field, readNumericField(field, lead, missing))) {
          builder.push(column, value);
        }
      };
  }
}

/** The design matrix of `leads` under a fitted spec. */
export function featurize(fitted: FittedFeatureSpec, leads: readonly LeadInput[]): SparseMatrix {
  const missing = new MissingTokens(fitted.missingTokens);
  const writers = fitted.fields.map((field) => fieldWriter(field, missing));
  const builder = new SparseBuilder(fitted.columns);
  for (const lead of leads) {
    for (const write of writers) write(lead, builder);
    builder.endRow();
  }
  return builder.build();
}
