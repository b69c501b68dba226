import type { ErrorDetail } from './errors.ts';
import type { PropertyDefinition } from './property-definitions.ts';

/**
 * Checks one property value the way HubSpot does on write: values travel as strings; `""` clears;
 * numbers must parse; enumeration values must be options (checkbox values `;`-separated);
 * datetimes take ISO 8601 or epoch milliseconds and are answered as ISO 8601 UTC; a `date` epoch
 * must fall on midnight UTC; strings hold at most 65,536 characters (hubspot.md §2.3–2.4).
 */
export type ValueCheck = { ok: true; value: string } | { ok: false; error: string; message: string };

const MAX_STRING = 65_536;
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function checkValue(def: PropertyDefinition, raw: unknown): ValueCheck {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    return {
      ok: false,
      error: 'INVALID_TYPE',
      message: `${JSON.stringify(raw)} is not a valid value for ${def.name}`,
    };
  }
  const value = String(raw);
  if (value === '') return { ok: true, value };
  switch (def.type) {
    case 'number':
      return NUMBER.test(value.trim())
        ? { ok: true, value: value.trim() }
        : { ok: false, error: 'INVALID_INTEGER', message: `${value} was not a valid number.` };
    case 'bool':
      return value === 'true' || value === 'false'
        ? { ok: true, value }
        : {
            ok: false,
            error: 'INVALID_BOOLEAN',
            message: `${value} was not a valid boolean (true or false).`,
          };
    case 'enumeration': {
      const allowed = new Set(def.options.map((o) => o.value));
      const parts = def.fieldType === 'checkbox' ? value.split(';') : [value];
      const bad = parts.filter((p) => !allowed.has(p));
      return bad.length === 0
        ? { ok: true, value }
        : {
            ok: false,
            error: 'INVALID_OPTION',
            message: `${bad.join(';')} was not one of the allowed options: [${[...allowed].join(', ')}]`,
          };
    }
    case 'datetime':
    case 'date':
      return checkTime(def, value);
    case 'string':
    case 'phone_number':
      return value.length <= MAX_STRING
        ? { ok: true, value }
        : {
            ok: false,
            error: 'INVALID_STRING',
            message: `value for ${def.name} is longer than ${MAX_STRING} characters`,
          };
  }
}

function checkTime(def: PropertyDefinition, value: string): ValueCheck {
  let ms: number;
  if (/^\d{1,15}$/.test(value)) ms = Number(value);
  else if (ISO.test(value)) ms = Date.parse(value);
  else ms = Number.NaN;
  if (!Number.isFinite(ms)) {
    return {
      ok: false,
      error: 'INVALID_DATE',
      message: `${value} is not a valid ${def.type} (ISO 8601 or epoch milliseconds)`,
    };
  }
  if (def.type === 'date') {
    if (ms % 86_400_000 !== 0) {
      return {
        ok: false,
        error: 'INVALID_DATE',
        message: `${value} is not midnight UTC, as a date property requires`,
      };
    }
    return { ok: true, value: new Date(ms).toISOString().slice(0, 10) };
  }
  return { ok: true, value: new Date(ms).toISOString() };
}

export interface InvalidProperty {
  name: string;
  error: string;
  message: string;
}

/** HubSpot's "Property values were not valid: [...]" message and its `errors[]` (hubspot.md §3.7). */
export function describeInvalid(invalid: readonly InvalidProperty[]): {
  message: string;
  errors: ErrorDetail[];
} {
  const results = invalid.map((p) => ({
    isValid: false,
    message: p.message,
    error: p.error,
    name: p.name,
    localizedErrorMessage: p.message,
  }));
  return {
    message: `Property values were not valid: ${JSON.stringify(results)}`,
    errors: invalid.map((p) => ({ message: p.message, code: p.error, context: { propertyName: [p.name] } })),
  };
}
