import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { describeAjvErrors, type FeatureSpec, type FieldSpec } from '../../scoring/index.ts';
import { CliError } from './errors.ts';

/**
 * `--spec FILE`: what a person knows that inference cannot guess — nicer labels and sentences,
 * which fields are engagement, tokens that mean "no value" (e.g. a form's "Select" placeholder).
 */
export interface SpecOverrides {
  missingTokens?: string[];
  fields?: Record<
    string,
    {
      kind?: 'numeric' | 'categorical' | 'boolean';
      label?: string;
      group?: 'fit' | 'engagement';
      text?: { value?: string; missing?: string };
    }
  >;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    missingTokens: { type: 'array', items: { type: 'string' } },
    fields: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          kind: { enum: ['numeric', 'categorical', 'boolean'] },
          label: { type: 'string', minLength: 1 },
          group: { enum: ['fit', 'engagement'] },
          text: {
            type: 'object',
            additionalProperties: false,
            properties: { value: { type: 'string' }, missing: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

const validate: ValidateFunction = new Ajv({ allErrors: true }).compile(schema);

export function readSpecOverrides(path: string): SpecOverrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read --spec ${path}: ${(error as Error).message}`);
  }
  if (!validate(parsed))
    throw new CliError(`--spec ${path}: ${describeAjvErrors(validate.errors, 'spec').join('; ')}`);
  return parsed as SpecOverrides;
}

export function applyOverrides(
  spec: FeatureSpec,
  overrides: SpecOverrides,
  header: readonly string[],
): FeatureSpec {
  for (const name of Object.keys(overrides.fields ?? {})) {
    if (!header.includes(name))
      throw new CliError(`--spec names field "${name}", which is not a column of the data`);
  }
  const fields = spec.fields.map((field): FieldSpec => {
    const o = overrides.fields?.[field.field];
    if (!o) return field;
    const base = {
      field: field.field,
      label: o.label ?? field.label,
      group: o.group ?? field.group,
      ...(o.text ? { text: o.text } : field.text ? { text: field.text } : {}),
    };
    const kind = o.kind ?? field.kind;
    if (kind === 'numeric') return { ...base, kind };
    if (kind === 'boolean') return { ...base, kind };
    return { ...base, kind: 'categorical' };
  });
  return { ...spec, fields };
}
