import type { ScoreFields } from '../../connectors/index.ts';
import type { JsonValue } from '../kit/store/index.ts';

/**
 * "Write only what changed" (design §7): a new score goes to the CRM when it moved at least a point
 * from the last *written* one, or its tier, route or reasons differ. Everything else (confidence, fit
 * and engagement sub-scores, model version) rides along with the next meaningful change instead of
 * costing an API call of its own.
 */

export interface WrittenView {
  score: number;
  tier: ScoreFields['tier'];
  route: ScoreFields['route'];
  reasons: string;
}

export interface Change {
  changed: boolean;
  /** What changed, for the audit trail: 'first', 'score', 'tier', 'route', 'reasons'. */
  why: string[];
}

export const MIN_SCORE_MOVE = 1;

export function detectChange(lastWritten: WrittenView | undefined, next: WrittenView): Change {
  if (lastWritten === undefined) return { changed: true, why: ['first'] };
  const why: string[] = [];
  if (Math.abs(next.score - lastWritten.score) >= MIN_SCORE_MOVE) why.push('score');
  if (next.tier !== lastWritten.tier) why.push('tier');
  if (next.route !== lastWritten.route) why.push('route');
  if (next.reasons !== lastWritten.reasons) why.push('reasons');
  return { changed: why.length > 0, why };
}

export interface ReasonLine {
  direction: 'positive' | 'negative';
  text: string;
}

/** Most CRM list views and cards show a few lines: three up, three down is what the card shows. */
const MAX_LINES_EACH = 3;
// Salesforce long text areas and HubSpot text properties both take far more; this keeps the card readable.
const MAX_REASONS_CHARS = 1000;

/** The reasons as the CRM shows them: one per line, "+" for what raises the score, "−" for what lowers it. */
export function reasonsText(reasons: readonly ReasonLine[]): string {
  const up = reasons.filter((r) => r.direction === 'positive').slice(0, MAX_LINES_EACH);
  const down = reasons.filter((r) => r.direction === 'negative').slice(0, MAX_LINES_EACH);
  const text = [...up.map((r) => `+ ${r.text}`), ...down.map((r) => `- ${r.text}`)].join('\n');
  return text.length <= MAX_REASONS_CHARS ? text : `${text.slice(0, MAX_REASONS_CHARS - 1)}…`;
}

/** Reads reasons back from a stored score; a stored value of another shape is a bug, so it throws. */
export function reasonLinesOf(value: JsonValue): ReasonLine[] {
  if (!Array.isArray(value)) throw new TypeError('stored score reasons must be an array');
  return value.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new TypeError(`stored score reasons[${i}] must be an object`);
    }
    const { direction, text } = item;
    if ((direction !== 'positive' && direction !== 'negative') || typeof text !== 'string') {
      throw new TypeError(`stored score reasons[${i}] needs a direction and a text`);
    }
    return { direction, text };
  });
}
