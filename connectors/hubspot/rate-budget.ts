/**
 * A pure rolling-window budget: at most `max` requests in any `windowMs`. HubSpot counts a
 * marketplace app's requests per installed portal in a *rolling* 10-second window (110 per 10 s,
 * hubspot.md §4.1) and search separately (5 per second, §3.5). A token bucket of capacity C and
 * rate r admits C + r·T in a window T, so it either overshoots a rolling limit or gives away
 * throughput; a log of send times admits exactly `max` per window.
 */
export class RollingBudget {
  private stamps: number[] = [];

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  }

  /** Milliseconds until one more request may go; 0 means now. */
  waitMs(now: number): number {
    this.expire(now);
    if (this.stamps.length < this.max) return 0;
    const oldest = this.stamps[this.stamps.length - this.max] as number;
    return oldest + this.windowMs - now + 1;
  }

  /** Records a request at `now` when there is room; false (and nothing recorded) otherwise. */
  tryTake(now: number): boolean {
    if (this.waitMs(now) > 0) return false;
    this.stamps.push(now);
    return true;
  }

  private expire(now: number): void {
    let drop = 0;
    while (drop < this.stamps.length && (this.stamps[drop] as number) + this.windowMs < now) drop++;
    if (drop > 0) this.stamps = this.stamps.slice(drop);
  }
}

export interface PortalBudgetOptions {
  /** Below HubSpot's 110 per 10 s: headroom for clock skew and other callers of the portal. */
  standardPerWindow: number;
  standardWindowMs: number;
  /** Below search's 5 per second. */
  searchPerWindow: number;
  searchWindowMs: number;
}

export const DEFAULT_PORTAL_BUDGET: PortalBudgetOptions = {
  standardPerWindow: 100,
  standardWindowMs: 10_000,
  searchPerWindow: 4,
  searchWindowMs: 1_000,
};

export type RequestKind = 'standard' | 'search';

/** The budget of one portal: one rolling window for ordinary calls and one for search. */
export class PortalBudget {
  private readonly standard: RollingBudget;
  private readonly search: RollingBudget;

  constructor(options: PortalBudgetOptions = DEFAULT_PORTAL_BUDGET) {
    this.standard = new RollingBudget(options.standardPerWindow, options.standardWindowMs);
    this.search = new RollingBudget(options.searchPerWindow, options.searchWindowMs);
  }

  /** Search is "excluded" from the 110 per 10 s (§4.1): it takes only its own window. */
  waitMs(kind: RequestKind, now: number): number {
    return (kind === 'search' ? this.search : this.standard).waitMs(now);
  }

  tryTake(kind: RequestKind, now: number): boolean {
    return (kind === 'search' ? this.search : this.standard).tryTake(now);
  }
}
