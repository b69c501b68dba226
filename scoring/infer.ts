import type { FeatureSpec, FieldSpec } from './feature-spec.ts';
import type { Group } from './types.ts';
import { MissingTokens } from './values.ts';

/**
 * Infers a feature spec from a table of text values (a CSV export): numbers become numeric fields,
 * yes/no and 0/1 columns booleans, the rest categorical. Columns that look like identifiers (nearly
 * every value distinct) are left out with a reason, since they would only let the model memorise.
 */

export interface InferredSpec {
  spec: FeatureSpec;
  skipped: { field: string; reason: string }[];
}

const BOOLEAN_WORDS = new Set(['yes', 'no', 'true', 'false', 'y', 'n']);
const ENGAGEMENT_NAME =
  /visit|time spent|page ?view|views|email|click|open|activity|download|session|web|reply|meeting|call/i;

export function inferGroup(name: string): Group {
  return ENGAGEMENT_NAME.test(name) ? 'engagement' : 'fit';
}

export function inferFeatureSpec(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { exclude: readonly string[]; missingTokens: readonly string[]; version?: string },
): InferredSpec {
  const missing = new MissingTokens(options.missingTokens);
  const exclude = new Set(options.exclude);
  const fields: FieldSpec[] = [];
  const skipped: { field: string; reason: string }[] = [];
  header.forEach((name, column) => {
    if (exclude.has(name)) return;
    const distinct = new Set<string>();
    let present = 0;
    let numeric = true;
    let booleanWords = true;
    for (const row of rows) {
      const raw = row[column] ?? '';
      if (missing.isMissing(raw)) continue;
      present++;
      const value = raw.trim();
      distinct.add(value.toLowerCase());
      if (numeric && !Number.isFinite(Number(value))) numeric = false;
      if (booleanWords && !BOOLEAN_WORDS.has(value.toLowerCase())) booleanWords = false;
    }
    const group = inferGroup(name);
    if (present === 0) {
      skipped.push({ field: name, reason: 'is empty in every row' });
    } else if (numeric && [...distinct].every((v) => Number(v) === 0 || Number(v) === 1)) {
      fields.push({ kind: 'boolean', field: name, label: name, group });
    } else if (numeric) {
      fields.push({ kind: 'numeric', field: name, label: name, group });
    } else if (booleanWords) {
      fields.push({ kind: 'boolean', field: name, label: name, group });
    } else if (distinct.size > 50 && distinct.size > present * 0.5) {
      skipped.push({
        field: name,
        reason: `looks like an identifier (${distinct.size} distinct values in ${present} rows)`,
      });
    } else {
      fields.push({ kind: 'categorical', field: name, label: name, group });
    }
  });
  return {
    spec: { version: options.version ?? 'inferred-1', missingTokens: [...options.missingTokens], fields },
    skipped,
  };
}
