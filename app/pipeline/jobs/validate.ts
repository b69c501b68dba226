import { Ajv } from 'ajv';
import type { ErrorObject, JSONSchemaType, ValidateFunction } from 'ajv';
import { PermanentJobError } from '../../kit/jobs/index.ts';

// allErrors so the reason names every field at fault, not just the first.
const ajv = new Ajv({ allErrors: true, strict: true });

/**
 * Spread into an optional property's schema. JSONSchemaType makes optional properties `nullable`,
 * which would let `null` through where the type says "absent or a value"; this refuses it.
 */
export const NOT_NULL = { not: { type: 'null' } } as const;

/**
 * A required `string | null`. ajv's JSONSchemaType refuses `{ type: 'string', nullable: true }` for
 * it since 8.12 (https://github.com/ajv-validator/ajv/issues/2283); this anyOf is the form it takes.
 */
export const STRING_OR_NULL = { anyOf: [{ type: 'string' }, { type: 'null', nullable: true }] } as const;

/** Names the field and the problem: `/personIds/0 must be string`, `/people is required`. */
function describe(group: readonly ErrorObject[]): string {
  const error =
    group.find((e) => e.keyword === 'not') ?? group.find((e) => e.keyword === 'anyOf') ?? group[0];
  if (error === undefined) return 'is invalid';
  const path = error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties')
    return `${path}/${String(params.additionalProperty)} is not allowed`;
  if (error.keyword === 'required') return `${path}/${String(params.missingProperty)} is required`;
  let what: string;
  if (error.keyword === 'not') what = 'must not be null';
  else if (error.keyword === 'anyOf') {
    // The branches' own errors say which types would do: "must be string or null".
    const types = group.filter((e) => e.keyword === 'type').map((e) => String(e.params.type));
    what = types.length > 0 ? `must be ${types.join(' or ')}` : (error.message ?? 'is invalid');
  } else if (error.keyword === 'enum' && Array.isArray(params.allowedValues))
    what = `must be one of ${params.allowedValues.map(String).join(', ')}`;
  else what = error.message ?? 'is invalid';
  return path === '' ? what : `${path} ${what}`;
}

/** One problem per field (a missing or extra property is a problem of its own), at most five. */
function problems(errors: readonly ErrorObject[]): string[] {
  const byField = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const own = e.keyword === 'additionalProperties' || e.keyword === 'required';
    const key = own ? `${e.instancePath}#${JSON.stringify(e.params)}` : e.instancePath;
    byField.set(key, [...(byField.get(key) ?? []), e]);
  }
  return [...byField.values()].slice(0, 5).map(describe);
}

export interface JobValueValidator<T> {
  /** The typed value, or a PermanentJobError naming the job's value and the fields at fault. */
  parse(value: unknown): T;
  is(value: unknown): value is T;
}

/**
 * Compiled once per schema. `label` names the value in the reason ("rescore payload"): the dead
 * letter says which job's which value was refused and why, and retrying would refuse it again.
 */
export function jobValueValidator<T>(label: string, schema: JSONSchemaType<T>): JobValueValidator<T> {
  const validate: ValidateFunction<T> = ajv.compile(schema);
  return {
    parse(value) {
      if (validate(value)) return value;
      throw new PermanentJobError(`${label}: ${problems(validate.errors ?? []).join('; ')}`);
    },
    is: (value): value is T => validate(value),
  };
}
