import type { EventMatch } from './feature-spec.ts';
import type { EngagementEvent, LeadInput, Value } from './types.ts';

/**
 * Reading raw values out of a lead. Each reader answers a number, or NaN for "missing", and says when
 * a value was present but unusable (so confidence can drop instead of the value vanishing quietly).
 */

export const DAY_MS = 86_400_000;

export class MissingTokens {
  private readonly tokens: Set<string>;
  constructor(tokens: readonly string[]) {
    this.tokens = new Set(['', ...tokens.map((t) => t.trim().toLowerCase())]);
  }
  isMissing(value: Value): boolean {
    if (value === null || value === undefined) return true;
    if (typeof value === 'number') return Number.isNaN(value);
    if (typeof value === 'boolean') return false;
    return this.tokens.has(value.trim().toLowerCase());
  }
}

export interface Reading {
  value: number;
  /** The value was present but could not be read as this field's type. */
  invalid: boolean;
}

const MISSING: Reading = { value: Number.NaN, invalid: false };
const INVALID: Reading = { value: Number.NaN, invalid: true };

export function readNumber(raw: Value, missing: MissingTokens): Reading {
  if (typeof raw === 'number') return Number.isFinite(raw) ? { value: raw, invalid: false } : MISSING;
  if (raw === null || raw === undefined || missing.isMissing(raw)) return MISSING;
  if (typeof raw === 'boolean') return { value: raw ? 1 : 0, invalid: false };
  const parsed = Number(raw.trim());
  return Number.isFinite(parsed) ? { value: parsed, invalid: false } : INVALID;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 't']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'f']);

export function readBoolean(raw: Value, missing: MissingTokens): Reading {
  if (typeof raw === 'boolean') return { value: raw ? 1 : 0, invalid: false };
  if (missing.isMissing(raw)) return MISSING;
  const word = String(raw).trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return { value: 1, invalid: false };
  if (FALSE_WORDS.has(word)) return { value: 0, invalid: false };
  return INVALID;
}

/** Category key: trimmed and lower-cased, so "Google" and "google" are one level. Null = missing. */
export function categoryKey(raw: Value, missing: MissingTokens): string | null {
  if (missing.isMissing(raw)) return null;
  return String(raw).trim().toLowerCase();
}

function matches(event: EngagementEvent, type: string, match: EventMatch | undefined): boolean {
  if (event.type !== type) return false;
  if (!match) return true;
  const raw = event.attributes?.[match.attribute];
  if (raw === null || raw === undefined) return false;
  const text = String(raw).toLowerCase();
  if (match.equals !== undefined && text !== match.equals.toLowerCase()) return false;
  if (match.contains !== undefined && !text.includes(match.contains.toLowerCase())) return false;
  return true;
}

/**
 * Events of `type` in the window (asOf − windowDays, asOf]. Events after asOf are ignored: a score
 * computed as of t never sees what happened later.
 */
export function readEventCount(
  lead: LeadInput,
  type: string,
  windowDays: number,
  match: EventMatch | undefined,
): Reading {
  if (lead.events === undefined || lead.asOf === undefined) return MISSING;
  const end = lead.asOf;
  const start = end - windowDays * DAY_MS;
  let count = 0;
  for (const event of lead.events) {
    if (event.occurredAt > start && event.occurredAt <= end && matches(event, type, match)) count++;
  }
  return { value: count, invalid: false };
}

/** Days since the latest matching event at or before asOf; missing when there is none. */
export function readEventRecency(lead: LeadInput, type: string, match: EventMatch | undefined): Reading {
  if (lead.events === undefined || lead.asOf === undefined) return MISSING;
  let latest = Number.NEGATIVE_INFINITY;
  for (const event of lead.events) {
    if (event.occurredAt <= lead.asOf && event.occurredAt > latest && matches(event, type, match)) {
      latest = event.occurredAt;
    }
  }
  if (latest === Number.NEGATIVE_INFINITY) return MISSING;
  return { value: (lead.asOf - latest) / DAY_MS, invalid: false };
}
