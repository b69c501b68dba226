import { formatDate, formatDateTime } from '../clock.ts';
import { RecordError, SalesforceApiError } from '../errors.ts';
import { isNumberType, isTextType, type FieldDef, type FieldValue } from './types.ts';

const parserError = (field: FieldDef, kind: string, raw: unknown): SalesforceApiError =>
  new SalesforceApiError(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${kind} from ${typeof raw === 'string' ? 'VALUE_STRING' : 'VALUE_' + typeof raw} value ${JSON.stringify(
      raw,
    )} or request may be missing a required field (field ${field.name})`,
  );

/** Text fields accept any JSON scalar and keep its text. */
const textOf = (raw: unknown): string => (typeof raw === 'string' ? raw : JSON.stringify(raw));

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a JSON datetime as Salesforce accepts it (ISO 8601 with `Z` or an offset). */
export function parseDateTime(text: string): number | undefined {
  if (!DATETIME.test(text)) return undefined;
  const normalized = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * JSON-body deserialization: a value of the wrong JSON kind fails the whole request with
 * JSON_PARSER_ERROR before any record is processed, as the REST API's deserializer does.
 */
export function deserializeValue(field: FieldDef, raw: unknown): FieldValue {
  if (raw === null) return null;
  if (typeof raw === 'object') throw parserError(field, field.type, raw);
  if (isTextType(field.type)) return textOf(raw);
  if (isNumberType(field.type)) {
    const n =
      typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(n)) throw parserError(field, 'double', raw);
    return n;
  }
  switch (field.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw parserError(field, 'boolean', raw);
    case 'datetime': {
      const ms = typeof raw === 'string' ? parseDateTime(raw) : undefined;
      if (ms === undefined) throw parserError(field, 'datetime', raw);
      return ms;
    }
    case 'date':
      if (typeof raw === 'string' && DATE.test(raw) && !Number.isNaN(Date.parse(raw))) return raw;
      if (typeof raw === 'string' && parseDateTime(raw) !== undefined) return raw.slice(0, 10);
      throw parserError(field, 'date', raw);
    default:
      return textOf(raw);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Per-record checks that become a SaveResult error rather than a failed request. */
export function validateValue(field: FieldDef, value: FieldValue): RecordError | undefined {
  if (value === null) {
    if (!field.nillable && field.type !== 'boolean') {
      return new RecordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${field.name}]`, [
        field.name,
      ]);
    }
    return undefined;
  }
  if (
    typeof value === 'string' &&
    field.length !== undefined &&
    value.length > field.length &&
    field.type !== 'id'
  ) {
    return new RecordError(
      'STRING_TOO_LONG',
      `${field.label}: data value too large: ${value.slice(0, 40)} (max length=${field.length})`,
      [field.name],
    );
  }
  if (field.type === 'email' && typeof value === 'string' && !EMAIL.test(value)) {
    return new RecordError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${value}`, [
      field.name,
    ]);
  }
  if (field.type === 'picklist' && field.restrictedPicklist === true && typeof value === 'string') {
    if (!(field.picklistValues ?? []).includes(value)) {
      return new RecordError(
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `${field.label}: bad value for restricted picklist field: ${value}`,
        [field.name],
      );
    }
  }
  if (typeof value === 'number' && field.precision !== undefined) {
    const integerDigits = field.precision - (field.scale ?? 0);
    if (Math.abs(Math.trunc(value)) >= 10 ** integerDigits) {
      return new RecordError(
        'NUMBER_OUTSIDE_VALID_RANGE',
        `${field.label}: value outside of valid range on numeric field: ${value}`,
        [field.name],
      );
    }
  }
  return undefined;
}

/** Rounds numbers to the field's scale, as Salesforce stores them. */
export function normalizeValue(field: FieldDef, value: FieldValue): FieldValue {
  if (typeof value === 'number' && field.scale !== undefined) {
    const f = 10 ** field.scale;
    return Math.round(value * f) / f;
  }
  return value;
}

/** REST JSON form of a stored value. */
export function toJsonValue(field: FieldDef, value: FieldValue | undefined): FieldValue {
  if (value === undefined || value === null) return null;
  if (field.type === 'datetime' && typeof value === 'number') return formatDateTime(value);
  if (field.type === 'date' && typeof value === 'number') return formatDate(value);
  return value;
}
