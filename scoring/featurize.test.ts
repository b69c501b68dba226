import { describe, expect, it } from 'vitest';
import type { FeatureSpec, FittedField } from './feature-spec.ts';
import { binIndex, featurize, fitFeatureSpec, fitNumericTransform, scaleValue } from './featurize.ts';
import type { LeadInput } from './types.ts';
import {
  DAY_MS,
  MissingTokens,
  readBoolean,
  readEventCount,
  readEventRecency,
  readNumber,
} from './values.ts';

const lead = (attributes: LeadInput['attributes']): LeadInput => ({ attributes });
const missing = new MissingTokens(['Select', 'N/A']);

describe('readNumber', () => {
  it.each([
    { raw: '42', value: 42, invalid: false },
    { raw: ' 3.5 ', value: 3.5, invalid: false },
    { raw: 7, value: 7, invalid: false },
    { raw: '', value: Number.NaN, invalid: false },
    { raw: 'Select', value: Number.NaN, invalid: false },
    { raw: 'n/a', value: Number.NaN, invalid: false },
    { raw: null, value: Number.NaN, invalid: false },
    { raw: 'twelve', value: Number.NaN, invalid: true },
    { raw: Number.POSITIVE_INFINITY, value: Number.NaN, invalid: false },
  ])('reads $raw as $value (invalid: $invalid)', ({ raw, value, invalid }) => {
    const reading = readNumber(raw, missing);
    expect(reading.value).toEqual(value);
    expect(reading.invalid).toBe(invalid);
  });
});

describe('readBoolean', () => {
  it.each([
    ['Yes', 1],
    ['no', 0],
    ['TRUE', 1],
    ['0', 0],
    [true, 1],
    ['', Number.NaN],
  ] as const)('reads %s as %s', (raw, value) => {
    expect(readBoolean(raw, missing).value).toEqual(value);
  });

  it('flags a word that is neither yes nor no as invalid', () => {
    expect(readBoolean('maybe', missing).invalid).toBe(true);
  });
});

describe('event windows', () => {
  const asOf = Date.UTC(2026, 5, 30);
  const events = [
    { type: 'page_view', occurredAt: asOf - 1 * DAY_MS, attributes: { path: '/pricing' } },
    { type: 'page_view', occurredAt: asOf - 6 * DAY_MS, attributes: { path: '/blog/x' } },
    { type: 'page_view', occurredAt: asOf - 20 * DAY_MS, attributes: { path: '/Pricing/enterprise' } },
    { type: 'email_reply', occurredAt: asOf - 3 * DAY_MS },
    // After asOf: a score as of asOf must never see it.
    { type: 'page_view', occurredAt: asOf + DAY_MS, attributes: { path: '/pricing' } },
  ];
  const withEvents: LeadInput = { attributes: {}, events, asOf };

  it.each([
    { window: 7, match: undefined, count: 2 },
    { window: 30, match: undefined, count: 3 },
    { window: 30, match: { attribute: 'path', contains: '/pricing' }, count: 2 },
    { window: 7, match: { attribute: 'path', equals: '/pricing' }, count: 1 },
  ])('counts $count page views in $window days matching $match', ({ window, match, count }) => {
    expect(readEventCount(withEvents, 'page_view', window, match).value).toBe(count);
  });

  it('measures days since the latest event at or before asOf', () => {
    expect(readEventRecency(withEvents, 'page_view', undefined).value).toBe(1);
    expect(readEventRecency(withEvents, 'email_reply', undefined).value).toBe(3);
  });

  it('treats no matching event as a missing recency', () => {
    expect(readEventRecency(withEvents, 'meeting', undefined).value).toBeNaN();
  });

  it('treats unknown events (no list) as missing, but an empty list as zero', () => {
    expect(readEventCount({ attributes: {}, asOf }, 'page_view', 7, undefined).value).toBeNaN();
    expect(readEventCount({ attributes: {}, events: [], asOf }, 'page_view', 7, undefined).value).toBe(0);
  });
});

describe('fitNumericTransform', () => {
  it('logs a right-skewed non-negative field and scales it to mean 0', () => {
    const values = [0, 0, 1, 1, 2, 3, 5, 8, 13, 400];
    const t = fitNumericTransform(values, { log: 'auto', bins: 4 });
    expect(t.log).toBe(true);
    const scaled = values.map((v) => scaleValue(t, v));
    expect(scaled.reduce((a, b) => a + b, 0) / scaled.length).toBeCloseTo(0, 1);
  });

  it('keeps a symmetric field linear', () => {
    const t = fitNumericTransform([-2, -1, 0, 1, 2], { log: 'auto', bins: 4 });
    expect(t.log).toBe(false);
  });

  it('clips values beyond the training range to the clip bounds', () => {
    const t = fitNumericTransform([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { log: false, bins: 0 });
    expect(scaleValue(t, 1e9)).toBeCloseTo(scaleValue(t, t.clipHigh), 12);
  });

  it('drops duplicate bin edges when many values tie', () => {
    const t = fitNumericTransform([0, 0, 0, 0, 0, 0, 0, 1, 2, 3], { log: false, bins: 4 });
    expect(new Set(t.edges).size).toBe(t.edges.length);
    expect(t.edges.every((e) => e < 3)).toBe(true);
  });

  it.each([
    { v: -1, bin: 0 },
    { v: 1, bin: 0 },
    { v: 1.5, bin: 1 },
    { v: 3, bin: 1 },
    { v: 10, bin: 2 },
  ])('puts $v in bin $bin of edges [1, 3]', ({ v, bin }) => {
    expect(binIndex([1, 3], v)).toBe(bin);
  });
});

describe('fitFeatureSpec', () => {
  const spec: FeatureSpec = {
    version: 't1',
    missingTokens: ['Select'],
    fields: [
      { kind: 'categorical', field: 'source', label: 'Source', group: 'fit', minCount: 2 },
      { kind: 'numeric', field: 'visits', label: 'Visits', group: 'engagement', bins: 2 },
      { kind: 'boolean', field: 'optin', label: 'Opted in', group: 'fit' },
      { kind: 'numeric', field: 'constant', label: 'Constant', group: 'fit' },
    ],
  };
  const leads = [
    lead({ source: 'Google', visits: '1', optin: 'Yes', constant: '5' }),
    lead({ source: 'google', visits: '2', optin: 'No', constant: '5' }),
    lead({ source: 'Google', visits: '', optin: 'No', constant: '5' }),
    lead({ source: 'Referral', visits: '4', optin: 'Yes', constant: '5' }),
    lead({ source: 'Referral', visits: '8', optin: 'No', constant: '5' }),
    lead({ source: 'Fax', visits: '3', optin: 'Select', constant: '5' }),
  ];
  const fitted = fitFeatureSpec(spec, leads);

  it('folds case variants of a level together and shows the commonest spelling', () => {
    const source = fitted.fields[0] as Extract<FittedField, { kind: 'categorical' }>;
    expect(source.levels).toEqual(['google', 'referral']);
    expect(source.display).toEqual(['Google', 'Referral']);
    expect(source.rare).toEqual(['fax']);
  });

  it('drops a field with a single value, saying why', () => {
    expect(fitted.dropped).toEqual([{ field: 'constant', reason: 'has a single value in training' }]);
  });

  it('lays out columns field after field', () => {
    const offsets = fitted.fields.map((f) => [f.field, f.offset, f.width]);
    expect(offsets[0]).toEqual(['source', 0, 4]);
    expect(fitted.columns).toBe(fitted.fields.reduce((n, f) => n + f.width, 0));
  });

  it('one-hot encodes levels, with rare and unknown columns', () => {
    const x = featurize(fitted, [
      lead({ source: 'Fax' }),
      lead({ source: 'Carrier pigeon' }),
      lead({ source: 'GOOGLE' }),
    ]);
    const sourceColumns = (r: number): number[] =>
      Array.from(x.indices.subarray(x.indptr[r], x.indptr[r + 1])).filter((c) => c < 4);
    expect(sourceColumns(0)).toEqual([2]); // rare
    expect(sourceColumns(1)).toEqual([3]); // unknown
    expect(sourceColumns(2)).toEqual([0]); // google
  });

  it('marks a missing numeric value with its indicator and no bin', () => {
    const visits = fitted.fields[1] as FittedField;
    const x = featurize(fitted, [lead({ source: 'Google', visits: '' })]);
    const columns = Array.from(x.indices).filter(
      (c) => c >= visits.offset && c < visits.offset + visits.width,
    );
    expect(columns).toEqual([visits.offset + 1]);
  });

  it('refuses a spec that names a field twice', () => {
    const twice: FeatureSpec = { version: 'x', fields: [spec.fields[0]!, spec.fields[0]!] };
    expect(() => fitFeatureSpec(twice, leads)).toThrow(/twice/);
  });
});
