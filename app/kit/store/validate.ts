import type { JsonObject } from './types.ts';
import { StoreError } from './types.ts';

// The store is the last line before the disk: every argument is checked here so a bad value fails
// with a message naming the field, not with a driver error or, worse, a silently wrong row.

const MAX_ID_LENGTH = 512;

export function requireId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new StoreError(
      'invalid_input',
      `${field} must be a non-empty string of at most ${MAX_ID_LENGTH} chars`,
    );
  }
  return value;
}

export function requireText(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new StoreError('invalid_input', `${field} must be a string`);
  return value;
}

export function requireTime(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StoreError('invalid_input', `${field} must be epoch milliseconds (a non-negative integer)`);
  }
  return value;
}

export function requirePositiveInt(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new StoreError('invalid_input', `${field} must be a positive integer`);
  }
  return value;
}

export function requireNumberIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new StoreError('invalid_input', `${field} must be a number in [${min}, ${max}]`);
  }
  return value;
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new StoreError('invalid_input', `${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function requireObject(field: string, value: unknown): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StoreError('invalid_input', `${field} must be a JSON object`);
  }
  return value as JsonObject;
}

/** Narrows a stored text column to a closed set; a value outside it means the row was tampered with. */
export function storedOneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new StoreError('invalid_input', `stored ${field} '${value}' is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}
