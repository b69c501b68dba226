import { Ajv } from 'ajv';
import type { ErrorObject, JSONSchemaType, ValidateFunction } from 'ajv';
import { HttpError } from './errors.ts';

// allErrors so the message can name every field at fault, not just the first.
const ajv = new Ajv({ allErrors: true, strict: true });

/** Names the field: `/tiers/A must be <= 1`, `body must have required property 'tiers'`. */
function describe(error: ErrorObject): string {
  const field =
    error.keyword === 'additionalProperties' && 'additionalProperty' in error.params
      ? `${error.instancePath}/${String(error.params.additionalProperty)}`
      : error.instancePath;
  const where = field === '' ? 'body' : `body${field.replace(/\//g, '.')}`;
  const what = error.keyword === 'additionalProperties' ? 'is not allowed' : (error.message ?? 'is invalid');
  return `${where} ${what}`;
}

export interface BodyValidator<T> {
  /** Returns the typed body or throws 400 `validation_failed` naming the fields at fault. */
  (body: unknown): T;
}

export function bodyValidator<T>(schema: JSONSchemaType<T>): BodyValidator<T> {
  const validate: ValidateFunction<T> = ajv.compile(schema);
  return (body: unknown): T => {
    if (validate(body)) return body;
    const problems = (validate.errors ?? []).slice(0, 5).map(describe);
    throw new HttpError('validation_failed', `Validation failed: ${problems.join('; ')}.`);
  };
}
