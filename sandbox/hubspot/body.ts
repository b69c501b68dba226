import { Ajv, type ErrorObject } from 'ajv';
import { validationError } from './errors.ts';
import type { RouteRequest } from './router.ts';

/**
 * Request bodies are checked like HubSpot checks them: malformed JSON and bodies that do not fit
 * the documented schema answer 400 VALIDATION_ERROR naming the problem. A forgiving emulator would
 * hide client bugs that the real API rejects.
 */
const ajv = new Ajv({ allErrors: true, strict: false });

export type BodyCheck<T> = (value: unknown) => T;

export function compileBody<T>(schema: object): BodyCheck<T> {
  const validate = ajv.compile(schema);
  return (value: unknown): T => {
    if (validate(value)) return value as T;
    throw validationError(`Invalid input JSON: ${describe(validate.errors ?? [])}`, {
      errors: (validate.errors ?? []).map((e) => ({
        message: `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
        in: e.instancePath || '/',
      })),
    });
  };
}

function describe(errors: readonly ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
}

export function parseJson(req: RouteRequest): unknown {
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw validationError(`Expected Content-Type application/json, got "${type}"`);
  }
  const text = req.rawBody.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw validationError(
      `Invalid input JSON: ${error instanceof Error ? error.message : 'unparseable body'}`,
    );
  }
}

export function readBody<T>(req: RouteRequest, check: BodyCheck<T>): T {
  return check(parseJson(req));
}

/** Array query parameters arrive repeated (`properties=a&properties=b`, as the SDK sends them) or comma-joined. */
export function queryList(query: URLSearchParams, name: string): string[] | undefined {
  const all = query.getAll(name);
  if (all.length === 0) return undefined;
  return all
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function queryInt(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw validationError(`${name} must be a positive integer, got "${raw}"`);
  if (n > max) throw validationError(`${name} may be at most ${max}, got ${n}`);
  return n;
}
