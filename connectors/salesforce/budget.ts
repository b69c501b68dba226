import { ConnectorError } from '../types.ts';

export interface ApiUsage {
  used: number;
  limit: number;
}

export interface ApiBudgetOptions {
  /** Share of the allocation remaining when the day's work starts that leadgate may use. */
  share?: number;
  /** Hard cap on calls per day, whatever the share allows. */
  maxCallsPerDay?: number;
  clock: () => number;
}

export interface ApiBudgetStatus {
  /** The org's usage from the last `Sforce-Limit-Info` seen, all clients included. */
  usage: ApiUsage | null;
  /** Calls leadgate may use today; null until the first answer of the day. */
  allowance: number | null;
  /** Calls counted against the allowance today. */
  spent: number;
  /** Set when the budget is spent: epoch ms of the next UTC midnight. */
  exhaustedUntil: number | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const utcDay = (ms: number): number => Math.floor(ms / DAY_MS);

/**
 * A per-tenant daily budget over the org's API allocation. Salesforce counts every REST call
 * against a shared daily allocation and refuses all clients of the org with REQUEST_LIMIT_EXCEEDED
 * once it is spent (salesforce.md §4), so leadgate takes at most `share` (default 20%) of what
 * remained when its day started and stops before that, leaving the rest to the customer's other
 * integrations. The window follows the UTC day, as the emulator's allocation does; Salesforce
 * itself counts a rolling 24 hours, so resuming at midnight is the optimistic edge of that.
 */
export class ApiBudget {
  private readonly share: number;
  private readonly maxCallsPerDay: number;
  private readonly clock: () => number;
  private day: number;
  private usage: ApiUsage | null = null;
  private startUsed: number | null = null;
  private allowance: number | null = null;
  private spentBeforeFirstAnswer = 0;
  private serverExhausted = false;

  constructor(options: ApiBudgetOptions) {
    this.share = options.share ?? 0.2;
    this.maxCallsPerDay = options.maxCallsPerDay ?? Number.POSITIVE_INFINITY;
    this.clock = options.clock;
    this.day = utcDay(this.clock());
    if (!(this.share > 0 && this.share <= 1))
      throw new RangeError(`share must be in (0, 1], got ${this.share}`);
  }

  private roll(): void {
    const today = utcDay(this.clock());
    if (today === this.day) return;
    this.day = today;
    this.usage = null;
    this.startUsed = null;
    this.allowance = null;
    this.spentBeforeFirstAnswer = 0;
    this.serverExhausted = false;
  }

  private spent(): number {
    if (this.usage === null || this.startUsed === null) return this.spentBeforeFirstAnswer;
    // Counted from the org's own counter, so calls by anyone since our day started count too: a
    // customer whose other tools are busy keeps more of their allocation.
    return this.usage.used - this.startUsed + this.spentBeforeFirstAnswer;
  }

  /** Throws quota_exhausted, without calling, when one more call would exceed today's budget. */
  beforeCall(): void {
    this.roll();
    const nextMidnight = (this.day + 1) * DAY_MS;
    const exhausted = (why: string): ConnectorError =>
      new ConnectorError(
        'quota_exhausted',
        `Salesforce API budget spent for today: ${why}; leadgate resumes after ${new Date(nextMidnight).toISOString()}`,
        { retryAfterMs: nextMidnight - this.clock(), vendorCode: 'LEADGATE_BUDGET' },
      );
    if (this.serverExhausted) throw exhausted('the org answered REQUEST_LIMIT_EXCEEDED');
    if (this.usage !== null && this.usage.used >= this.usage.limit) {
      throw exhausted(`the org has used ${this.usage.used} of ${this.usage.limit} calls`);
    }
    const spent = this.spent();
    const allowance = this.allowance === null ? this.maxCallsPerDay : this.allowance;
    if (spent + 1 > allowance) {
      const remaining =
        this.usage === null || this.startUsed === null ? '?' : this.usage.limit - this.startUsed;
      throw exhausted(
        `${spent} of ${allowance} calls used (${Math.round(this.share * 100)}% of the ${remaining} calls left when the day started)`,
      );
    }
    if (this.usage === null) this.spentBeforeFirstAnswer += 1;
  }

  /** Records the org's usage from a response's `Sforce-Limit-Info` (jsforce's `conn.limitInfo`). */
  observe(usage: ApiUsage | undefined): void {
    this.roll();
    if (usage === undefined) return;
    if (this.startUsed === null) {
      // The first answer of the day already counts the call(s) that produced it.
      this.startUsed = usage.used - this.spentBeforeFirstAnswer;
      this.spentBeforeFirstAnswer = 0;
      const remaining = Math.max(0, usage.limit - this.startUsed);
      this.allowance = Math.min(this.maxCallsPerDay, Math.floor(this.share * remaining));
    }
    this.usage = usage;
  }

  /** The server refused a call with REQUEST_LIMIT_EXCEEDED: stop until the day rolls. */
  markExhausted(): void {
    this.roll();
    this.serverExhausted = true;
  }

  status(): ApiBudgetStatus {
    this.roll();
    const exhausted =
      this.serverExhausted ||
      (this.usage !== null && this.usage.used >= this.usage.limit) ||
      (this.allowance !== null && this.spent() >= this.allowance);
    return {
      usage: this.usage,
      allowance: this.allowance,
      spent: this.spent(),
      exhaustedUntil: exhausted ? (this.day + 1) * DAY_MS : null,
    };
  }
}
