/**
 * Time for the emulator. Everything that waits (access-token expiry, rate windows, webhook retries,
 * injected latency) asks this clock, so tests drive time by hand instead of sleeping.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export function systemClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimer(callback, delayMs) {
      const id = next++;
      const timer = setTimeout(() => {
        timers.delete(id);
        callback();
      }, delayMs);
      timer.unref();
      timers.set(id, timer);
      return { id };
    },
    clearTimer(handle) {
      clearTimeout(timers.get(handle.id));
      timers.delete(handle.id);
    },
  };
}

interface Pending {
  id: number;
  at: number;
  callback: () => void;
}

/** A clock that moves only when told to; due timers fire in time order during `advance`. */
export class ManualClock implements Clock {
  private current: number;
  private pending: Pending[] = [];
  private nextId = 1;

  constructor(start = Date.UTC(2025, 5, 30, 12)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.pending.push({ id, at: this.current + Math.max(0, delayMs), callback });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.id !== handle.id);
  }

  /** Resolves once a timer is pending (e.g. a request reached the server's latency fault). */
  async waitForTimer(maxTurns = 10_000): Promise<void> {
    for (let i = 0; i < maxTurns && this.pending.length === 0; i++) await settle();
    if (this.pending.length === 0) throw new Error('no timer was set');
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.pending.length;
  }

  /**
   * Moves time forward, firing each due timer at its own time. Between timers it yields to the
   * event loop so that work a timer starts (a socket write, a promise chain) can progress.
   */
  async advance(ms: number, options: { between?: () => Promise<void> } = {}): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      this.pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const due = this.pending[0];
      if (due === undefined || due.at > target) break;
      this.pending.shift();
      this.current = Math.max(this.current, due.at);
      due.callback();
      // Work a timer starts over real sockets needs more than one turn of the event loop: let the
      // caller wait for it (e.g. a webhook delivery) before later timers (its timeout) fire.
      if (options.between !== undefined) await options.between();
    }
    this.current = target;
    await settle();
  }

  /** Sets the time (never backwards) without firing timers in between; due timers fire at once. */
  async set(time: number): Promise<void> {
    await this.advance(Math.max(0, time - this.current));
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
