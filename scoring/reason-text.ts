import type { FittedField } from './feature-spec.ts';

/**
 * Plain-language sentences for reasons. Templates come from the feature spec (`text.value`,
 * `text.missing`) with placeholders {label}, {value}, {relative} and {window}; these defaults
 * apply when a field has none.
 */

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return rounded.toLocaleString('en-US');
}

/** Share of training leads below `value`, from the stored 5%-step quantiles, as a whole percent. */
export function percentileOf(quantiles: readonly number[], value: number): number {
  const last = quantiles.length - 1;
  if (value < (quantiles[0] as number)) return 0;
  if (value >= (quantiles[last] as number)) return 100;
  // Last quantile point not above the value; ties (many leads at 0) count as "not higher than".
  let k = 0;
  while (k < last && (quantiles[k + 1] as number) <= value) k++;
  const lo = quantiles[k] as number;
  const hi = quantiles[k + 1] as number;
  const within = hi > lo ? (value - lo) / (hi - lo) : 0;
  return Math.round(((k + within) / last) * 100);
}

function relativeText(quantiles: readonly number[], value: number): string {
  const below = percentileOf(quantiles, value);
  if (below >= 50) return `higher than ${below}% of leads`;
  // Share of leads at or above this value.
  return `lower than ${100 - below}% of leads`;
}

function fill(template: string, parts: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => parts[key] ?? whole);
}

export type Shown =
  | { kind: 'missing' }
  | { kind: 'number'; value: number }
  | { kind: 'level'; value: string; rare: boolean; unknown: boolean }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'invalid'; value: string };

export function reasonText(field: FittedField, shown: Shown): string {
  const label = field.label;
  const window = 'windowDays' in field ? String(field.windowDays) : '';
  if (shown.kind === 'missing') {
    const fallback = field.kind === 'event_recency' ? '{label}: none recorded' : '{label} is not known';
    return fill(field.text?.missing ?? fallback, { label, window });
  }
  if (shown.kind === 'invalid') return `${label} has an unreadable value (${shown.value})`;
  if (shown.kind === 'boolean') {
    return fill(field.text?.value ?? '{label}: {value}', {
      label,
      value: shown.value ? 'yes' : 'no',
      window,
    });
  }
  if (shown.kind === 'level') {
    const note = shown.unknown ? ' (not seen in training)' : shown.rare ? ' (uncommon)' : '';
    return fill(field.text?.value ?? '{label} is {value}', { label, value: shown.value, window }) + note;
  }
  const relative =
    field.kind === 'categorical' || field.kind === 'boolean'
      ? ''
      : relativeText(field.transform.quantiles, shown.value);
  const fallback =
    field.kind === 'event_count'
      ? '{label}: {value} in the last {window} days'
      : field.kind === 'event_recency'
        ? '{label}: {value} days ago'
        : '{label} is {value} ({relative})';
  return fill(field.text?.value ?? fallback, { label, value: formatNumber(shown.value), relative, window });
}
