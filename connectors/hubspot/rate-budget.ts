/**
 * A pure rolling-window budget: at most `max` requests in any `windowMs`. HubSpot counts a
 * marketplace app's requests per installed portal in a *rolling* 10-second window (110 per 10 s,
 * hubspot.md §4.1) and search separately (5 per second, §3.5). A token bucket of capacity C and
 * rate r admits C + r·T in a window T, so it either overshoots a rolling limit or gives away
 * throughput; a log of times admits exactly `max` per window.
 *
 * A request's slot is held from when it is sent (`tryOpen`) until a full window after its answer
 * came back (`finish`). HubSpot counts a request when it arrives, which is somewhere between our send
 * and our answer; so a slot reused more than a window after the old answer is reused more than a
 * window after the old arrival, whatever the latency and its jitter, and several requests may be in
 * flight at once. That is what makes running at HubSpot's own maximum safe (docs/decisions.md).
 */
export class RollingBudget {
  /** When finished requests got their answers, ascending; each holds a slot until a window later. */
  private stamps: number[] = [];
  /** Requests sent and not answered yet: each holds a slot until at least a window from now. */
  private inFlight = 0;

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  }

  /** Milliseconds until one more request may go; 0 means now. */
  waitMs(now: number): number {
    this.expire(now);
    const used = this.stamps.length + this.inFlight;
    if (used < this.max) return 0;
    // The (used - max + 1)th slot to free up; answered ones free first, open ones a window after their answer.
    const k = used - this.max;
    const at = this.stamps[k];
    return at === undefined ? this.windowMs + 1 : at + this.windowMs - now + 1;
  }

  /** Sends a request at `now` when there is room (false, nothing recorded, otherwise); `finish` it when answered. */
  tryOpen(now: number): boolean {
    if (this.waitMs(now) > 0) return false;
    this.inFlight++;
    return true;
  }

  /** The request opened earlier got its answer (or failed) at `now`. */
  finish(now: number): void {
    if (this.inFlight === 0) throw new Error('finish() without an open request');
    this.inFlight--;
    let i = this.stamps.length;
    while (i > 0 && (this.stamps[i - 1] as number) > now) i--;
    this.stamps.splice(i, 0, now);
  }

  /** A request sent and answered at `now` (an instant request): `tryOpen` and `finish` at once. */
  tryTake(now: number): boolean {
    if (!this.tryOpen(now)) return false;
    this.finish(now);
    return true;
  }

  private expire(now: number): void {
    let drop = 0;
    while (drop < this.stamps.length && (this.stamps[drop] as number) + this.windowMs < now) drop++;
    if (drop > 0) this.stamps = this.stamps.slice(drop);
  }
}

export interface PortalBudgetOptions {
  /**
   * HubSpot's 110 per 10 s by default: slots are held until a window after the answer (see
   * RollingBudget), so latency and jitter cannot push a 111th request into HubSpot's window. The
   * budget is per process: a second process on the same portal needs a share of it.
   */
  standardPerWindow: number;
  standardWindowMs: number;
  /** Below search's 5 per second. */
  searchPerWindow: number;
  searchWindowMs: number;
}

export const DEFAULT_PORTAL_BUDGET: PortalBudgetOptions = {
  standardPerWindow: 110,
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

  tryOpen(kind: RequestKind, now: number): boolean {
    return (kind === 'search' ? this.search : this.standard).tryOpen(now);
  }

  finish(kind: RequestKind, now: number): void {
    (kind === 'search' ? this.search : this.standard).finish(now);
  }
}
