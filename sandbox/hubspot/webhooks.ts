import type { Clock } from './clock.ts';
import { OBJECT_TYPES } from './object-types.ts';
import type { ObjectChange } from './portal.ts';
import { signatureV3 } from './signature.ts';
import { seededRandom } from '../../scoring/index.ts';

/**
 * Webhook delivery as HubSpot does it (hubspot.md §5): a JSON array of events POSTed to the app's
 * target URL, at most 100 events per request (UNVERIFIED upstream: the stricter reading is kept),
 * signed with v3 signatures; a failed batch (connection error, no answer within 5 s, any 4xx or
 * 5xx) is retried up to 10 times, spread out with growing, jittered delays, `attemptNumber`
 * counting up from 0.
 */
export type SubscriptionType =
  'contact.creation' | 'contact.propertyChange' | 'contact.deletion' | 'contact.privacyDeletion';

export interface Subscription {
  subscriptionType: SubscriptionType;
  /** For `contact.propertyChange`: the property watched. */
  propertyName?: string;
  /** Defaults to a stable id derived from the position in the list. */
  id?: number;
}

export interface WebhookSettings {
  targetUrl: string;
  subscriptions: readonly Subscription[];
  /** How long events gather before a batch goes out; default 1000 ms on the emulator clock. */
  batchDelayMs?: number;
}

export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: SubscriptionType;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
}

export interface DeliveryAttempt {
  /** The batch's number, shared by its retries. */
  batch: number;
  attemptNumber: number;
  at: number;
  body: string;
  headers: Record<string, string>;
  /** HTTP status, or null when the connection failed or timed out. */
  status: number | null;
  error?: string;
}

/** Max retries after the first attempt ("up to 10 times", hubspot.md §5.3). */
export const MAX_RETRIES = 10;
export const MAX_EVENTS_PER_REQUEST = 100;
/** HubSpot counts a batch as failed when the answer takes longer than 5 seconds. */
export const DELIVERY_TIMEOUT_MS = 5_000;

/**
 * HubSpot spreads its retries "over the next 24 hours, with varying delays" and randomisation,
 * without publishing a schedule. This one doubles from one minute (1, 2, 4 … 512 min ≈ 17 h in
 * all) with ±20% jitter.
 */
export function retryDelayMs(retry: number, random: () => number): number {
  const base = 60_000 * 2 ** (retry - 1);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export type Transport = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<number>;

/** POST with Node's fetch; the caller aborts it after 5 s on the emulator's clock. */
export const fetchTransport: Transport = async (url, init) => {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return response.status;
};

export class WebhookDispatcher {
  private settings: WebhookSettings | undefined;
  private queue: WebhookEvent[] = [];
  private flushScheduled = false;
  private nextEventId = 1;
  private nextBatch = 1;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly random: () => number;
  readonly attempts: DeliveryAttempt[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly app: { appId: number; clientSecret: string },
    private readonly transport: Transport = fetchTransport,
    seed = 1,
  ) {
    this.random = seededRandom(seed);
  }

  configure(settings: WebhookSettings | undefined): void {
    this.settings = settings;
  }

  /** Turns a CRM change into the events its subscriptions ask for. */
  handle(change: ObjectChange): void {
    const settings = this.settings;
    if (settings === undefined || change.objectType !== 'contacts') return;
    const type = `${OBJECT_TYPES.contacts.singular}.${change.kind}` as SubscriptionType;
    settings.subscriptions.forEach((sub, index) => {
      if (sub.subscriptionType !== type) return;
      if (type === 'contact.propertyChange' && sub.propertyName !== change.propertyName) return;
      const event: WebhookEvent = {
        eventId: this.nextEventId++,
        subscriptionId: sub.id ?? 1000 + index,
        portalId: change.portalId,
        appId: this.app.appId,
        occurredAt: change.occurredAt,
        subscriptionType: type,
        attemptNumber: 0,
        objectId: Number(change.objectId),
        changeSource: change.changeSource,
      };
      if (change.kind === 'creation') event.changeFlag = 'NEW';
      if (change.kind === 'deletion') event.changeFlag = 'DELETED';
      if (change.propertyName !== undefined) event.propertyName = change.propertyName;
      if (change.propertyValue !== undefined) event.propertyValue = change.propertyValue;
      this.queue.push(event);
    });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.queue.length === 0) return;
    this.flushScheduled = true;
    this.clock.setTimer(() => {
      this.flushScheduled = false;
      this.flush();
    }, this.settings?.batchDelayMs ?? 1_000);
  }

  /** Sends everything queued now, in batches of at most 100. */
  flush(): void {
    while (this.queue.length > 0) {
      const events = this.queue.splice(0, MAX_EVENTS_PER_REQUEST);
      this.send(this.nextBatch++, events, 0);
    }
  }

  private send(batch: number, events: readonly WebhookEvent[], attemptNumber: number): void {
    const settings = this.settings;
    if (settings === undefined) return;
    const body = JSON.stringify(events.map((e) => ({ ...e, attemptNumber })));
    const timestamp = this.clock.now();
    const headers = {
      'Content-Type': 'application/json',
      'X-HubSpot-Signature-v3': signatureV3({
        clientSecret: this.app.clientSecret,
        method: 'POST',
        uri: settings.targetUrl,
        body,
        timestamp,
      }),
      'X-HubSpot-Request-Timestamp': String(timestamp),
    };
    const attempt: DeliveryAttempt = { batch, attemptNumber, at: timestamp, body, headers, status: null };
    this.attempts.push(attempt);
    this.inFlight++;
    const abort = new AbortController();
    const timeout = this.clock.setTimer(() => {
      abort.abort(new Error(`no answer within ${DELIVERY_TIMEOUT_MS} ms`));
    }, DELIVERY_TIMEOUT_MS);
    this.transport(settings.targetUrl, { method: 'POST', headers, body, signal: abort.signal })
      .then(
        (status) => {
          attempt.status = status;
        },
        (error: unknown) => {
          attempt.error = error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        this.clock.clearTimer(timeout);
        const ok = attempt.status !== null && attempt.status >= 200 && attempt.status < 300;
        if (!ok && attemptNumber < MAX_RETRIES) {
          this.clock.setTimer(
            () => {
              this.send(batch, events, attemptNumber + 1);
            },
            retryDelayMs(attemptNumber + 1, this.random),
          );
        }
        this.inFlight--;
        if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
  }

  /** Resolves when no delivery is on the wire (retries still waiting on the clock do not count). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
