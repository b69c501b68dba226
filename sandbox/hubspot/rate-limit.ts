/**
 * A rolling-window counter: at most `max` requests in any `windowMs`. HubSpot's burst limit for a
 * marketplace OAuth app is 110 requests per rolling 10 seconds per installed account, and CRM
 * search has its own 5 requests per second (hubspot.md §4.1, §3.5).
 */
export class RollingWindow {
  private stamps: number[] = [];

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Records a request at `now` when there is room; rejected requests are not recorded. */
  take(now: number): { allowed: boolean; remaining: number } {
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < this.stamps.length && (this.stamps[drop] as number) <= from) drop++;
    if (drop > 0) this.stamps = this.stamps.slice(drop);
    if (this.stamps.length >= this.max) return { allowed: false, remaining: 0 };
    this.stamps.push(now);
    return { allowed: true, remaining: this.max - this.stamps.length };
  }

  reset(): void {
    this.stamps = [];
  }
}

export const TEN_SECONDLY = { max: 110, windowMs: 10_000 } as const;
export const SEARCH_SECONDLY = { max: 5, windowMs: 1_000 } as const;
