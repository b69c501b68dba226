import type { JsonObject, JsonValue } from './types.ts';
import { StoreError } from './types.ts';

/**
 * JSON with object keys sorted at every level, so equal values always serialise to equal text
 * (record-change detection and audit hashes depend on it). Rejects what JSON cannot carry faithfully
 * (undefined, NaN, Infinity, functions, class instances) instead of silently dropping or mangling it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value, '$'));
}

function normalise(value: unknown, path: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new StoreError('invalid_input', `${path}: ${String(value)} is not JSON`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => normalise(v, `${path}[${i}]`));
  if (typeof value === 'object' && isPlainObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) throw new StoreError('invalid_input', `${path}.${key}: undefined is not JSON`);
      out[key] = normalise(v, `${path}.${key}`);
    }
    return out;
  }
  throw new StoreError('invalid_input', `${path}: ${typeof value} is not JSON`);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function parseJson(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    throw new StoreError('invalid_input', `stored ${what} is not valid JSON`, { cause });
  }
}

export function parseJsonObject(text: string, what: string): JsonObject {
  const value = parseJson(text, what);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StoreError('invalid_input', `stored ${what} is not a JSON object`);
  }
  return value;
}
