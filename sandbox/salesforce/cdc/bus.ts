import type { Clock } from '../clock.ts';

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';

/** `ChangeEventHeader` as Change Data Capture documents it (salesforce.md §8.1). */
export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: ChangeType;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  changedFields: string[];
  nulledFields: string[];
  diffFields: string[];
}

export interface ChangeEvent {
  replayId: number;
  channel: string;
  schema: string;
  payload: { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown>;
  publishedAt: number;
}

export type ChangeListener = (event: ChangeEvent) => void;

/** Change events stay on the event bus for 72 hours (salesforce.md §8.1). */
export const RETENTION_MS = 72 * 60 * 60 * 1000;

export const ALL_CHANGE_EVENTS = '/data/ChangeEvents';

export const channelFor = (entityName: string): string => `/data/${entityName}ChangeEvent`;

/** What a subscription may start from: -1 new events only, -2 everything retained, or after a replay id. */
export type ReplayFrom = number;

export class ReplayIdUnavailableError extends Error {
  constructor(readonly replayId: number) {
    super(
      `The replayId {${replayId}} you provided was invalid. Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
    );
    this.name = 'ReplayIdUnavailableError';
  }
}

/** One org's event bus: ordered replay ids, retention by the injected clock, live listeners. */
export class ChangeEventBus {
  private readonly events: ChangeEvent[] = [];
  private nextReplayId = 1;
  /** Every replay id at or below this one has been pruned: resuming from below it loses events. */
  private prunedThrough = 0;
  private readonly listeners = new Set<ChangeListener>();

  constructor(
    private readonly clock: Clock,
    private readonly retentionMs = RETENTION_MS,
  ) {}

  publish(event: Omit<ChangeEvent, 'replayId' | 'publishedAt'>): ChangeEvent {
    this.prune();
    const full: ChangeEvent = { ...event, replayId: this.nextReplayId, publishedAt: this.clock() };
    this.nextReplayId += 1;
    this.events.push(full);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Events on `channel` after `from`; throws when the requested position fell out of retention. */
  replay(channel: string, from: ReplayFrom): ChangeEvent[] {
    this.prune();
    const matches = (e: ChangeEvent): boolean => channel === ALL_CHANGE_EVENTS || e.channel === channel;
    if (from === -1) return [];
    if (from === -2) return this.events.filter(matches);
    if (from < this.prunedThrough || from >= this.nextReplayId) throw new ReplayIdUnavailableError(from);
    return this.events.filter((e) => e.replayId > from && matches(e));
  }

  listen(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** All retained events, oldest first (for tests). */
  retained(): readonly ChangeEvent[] {
    this.prune();
    return this.events;
  }

  private prune(): void {
    const cutoff = this.clock() - this.retentionMs;
    while (this.events.length > 0 && (this.events[0]?.publishedAt ?? Infinity) < cutoff) {
      const dropped = this.events.shift();
      if (dropped) this.prunedThrough = dropped.replayId;
    }
  }
}
