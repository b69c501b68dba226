import jsforce from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';

/** One channel for every selected entity, so one replay id orders them all (salesforce.md §8.1). */
export const CDC_CHANNEL = '/data/ChangeEvents';
/** Handshakes refused for authentication in a row before the subscription gives up. */
const MAX_AUTH_ATTEMPTS = 3;
/** Replay presets: -1 new events only (salesforce.md §8.2). */
const TIP = -1;
/**
 * Waits between tries of a batch `onBatch` failed on: doubling from 500 ms (a locked SQLite file or a
 * failed-over Postgres is usually back within seconds) up to 30 s, so a long outage costs one try
 * every 30 s. The bus keeps events 72 hours (salesforce.md §8.1), so holding them costs no events.
 */
export const BATCH_RETRY_BASE_MS = 500;
export const BATCH_RETRY_CAP_MS = 30_000;

/** The wait before try `attempt + 1` after `attempt` tries failed (1-based). */
export function batchRetryDelayMs(attempt: number): number {
  return Math.min(BATCH_RETRY_CAP_MS, BATCH_RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 30));
}

/** The part of `ChangeEventHeader` we read (salesforce.md §8.1). */
export interface CdcHeader {
  readonly entityName: string;
  readonly recordIds: readonly string[];
  readonly changeType: string;
  readonly changeOrigin: string;
}

/** A change event as the CometD channel delivers it: `{ payload: { ChangeEventHeader, … }, event: { replayId } }`. */
export interface ChangeEventMessage {
  readonly payload: { readonly ChangeEventHeader: CdcHeader };
  readonly event: { readonly replayId: number };
}

/** What the client tells its owner instead of logging: it has no logger and swallows nothing. */
export type ChangeEventReport =
  /**
   * `onBatch` threw on try `attempt` of a batch: the batch is kept and tried again, whole and alone,
   * after `retryInMs`; the events received meanwhile wait behind it.
   */
  | {
      readonly kind: 'batch-failed';
      readonly error: unknown;
      readonly attempt: number;
      readonly retryInMs: number;
    }
  /** A delivery on the channel without a `ChangeEventHeader` or a numeric replay id: skipped. */
  | { readonly kind: 'unreadable-message'; readonly message: unknown }
  /** The live session was refused; the client re-handshakes from `loadReplayId()` with a new token. */
  | { readonly kind: 'session-expired' }
  /** The re-handshake failed: the stream is down until the owner subscribes again. */
  | { readonly kind: 'stopped'; readonly error: unknown };

export interface ChangeEventOptions {
  /** The org's instance, asked before every handshake (a renewed session may name another one). */
  readonly instanceUrl: string | (() => Promise<string>);
  /** API version of the CometD endpoint, `/cometd/<version>`. */
  readonly version: string;
  /**
   * Asked for the first handshake, and again only after Salesforce refused the token it gave
   * (`rejected` true): the Faye client's Authorization header is set once (salesforce.md §8.2).
   */
  readonly accessToken: (rejected: boolean) => Promise<string>;
  /** The replay id to resume after (the last one `onBatch` handled); undefined starts at the tip. */
  readonly loadReplayId: () => Promise<number | undefined>;
  /**
   * The events received since the previous batch, in order, with the last one's replay id, and which
   * try this is (1 the first). Called one batch at a time: the next waits for this one to succeed. A
   * batch it throws on is never dropped: it is handed over again, the same events, after a capped
   * backoff (`batchRetryDelayMs`), until it succeeds or the subscription stops. So a saved replay id
   * never passes an unhandled event, and an owner that cannot handle a batch decides, by `attempt`,
   * what else to do with it (and succeed).
   */
  readonly onBatch: (
    messages: readonly ChangeEventMessage[],
    lastReplayId: number,
    attempt: number,
  ) => Promise<void>;
  /** The replay id from `loadReplayId()` fell out of retention: events were lost; the client goes on from the tip. */
  readonly onReplayGap: () => Promise<void>;
  readonly report: (report: ChangeEventReport) => void;
  /** Waits between tries of a failed batch; tests pass a fake. A real timer that stop() cuts short by default. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ChangeEventSubscription {
  /** Resolves when the subscription is live (after any fallback). */
  readonly ready: Promise<void>;
  /** Resolves when every received event has been handled. */
  idle(): Promise<void>;
  /**
   * Resolves when the stream is over: with the error when it stopped by itself (`ready` failed, or a
   * re-handshake after an expired session did: report `stopped`), with undefined after stop(). An
   * owner that wants the stream back subscribes again.
   */
  readonly ended: Promise<unknown>;
  stop(): void;
}

/** The Bayeux server refused the session (reconnect "none" on handshake or connect). */
class CometdAuthError extends Error {
  constructor() {
    super('Salesforce refused the streaming session (401::Authentication invalid)');
    this.name = 'CometdAuthError';
  }
}

/**
 * `changeOrigin` is `com/salesforce/api/<api>/<ver>;client=<Client_ID>` (salesforce.md §8.1): the
 * writes a client made with `Sforce-Call-Options: client=<id>` carry its id.
 */
export function isOwnChange(header: CdcHeader, clientId: string): boolean {
  return header.changeOrigin.split(';').some((part) => part.trim() === `client=${clientId}`);
}

interface FayeClient {
  subscribe(channel: string, onMessage: (m: unknown) => void): PromiseLike<unknown>;
  disconnect(): void;
}

function isMessage(m: unknown): m is ChangeEventMessage {
  if (typeof m !== 'object' || m === null || !('payload' in m) || !('event' in m)) return false;
  const { payload, event } = m;
  return (
    typeof payload === 'object' &&
    payload !== null &&
    'ChangeEventHeader' in payload &&
    typeof event === 'object' &&
    event !== null &&
    'replayId' in event &&
    typeof event.replayId === 'number'
  );
}

/**
 * Change events of `/data/ChangeEvents` over CometD as jsforce's Faye client speaks it, with the
 * Replay extension (resume after `loadReplayId()`) and the AuthFailure extension (an expired session
 * re-handshakes with a renewed token from the last handled replay id). A replay id past retention
 * (Salesforce's "The replayId {n} you provided was invalid") calls `onReplayGap()` and resubscribes
 * from the tip.
 */
export function subscribeChangeEvents(options: ChangeEventOptions): ChangeEventSubscription {
  let client: FayeClient | undefined;
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const pending: ChangeEventMessage[] = [];
  /** Ends the running wait (batches are handled one at a time, so there is at most one). */
  let cutShort: () => void = () => undefined;
  let end: (error: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (end = resolve));

  /** A wait stop() cuts short; the default timer is unref'd so it never holds a shutting-down process. */
  const wait = async (ms: number): Promise<void> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slept =
      options.sleep?.(ms) ??
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
        timer.unref();
      });
    await Promise.race([slept, new Promise<void>((resolve) => (cutShort = resolve))]);
    clearTimeout(timer);
    cutShort = () => undefined;
  };

  /**
   * Hands every event received so far to `onBatch` as one batch, and the same batch again after each
   * failure, until it is handled or the subscription stops. Dropping it would lose its events for
   * good: the next batch's replay id, once saved, is past them. Later events stay in `pending`, for
   * the next batch: retrying exactly these keeps the batch (and the owner's idempotency keys) stable.
   */
  const flush = async (): Promise<void> => {
    const batch = pending.splice(0);
    const last = batch.at(-1);
    if (last === undefined) return;
    for (let attempt = 1; !stopped; attempt += 1) {
      try {
        await options.onBatch(batch, last.event.replayId, attempt);
        return;
      } catch (error) {
        const retryInMs = batchRetryDelayMs(attempt);
        options.report({ kind: 'batch-failed', error, attempt, retryInMs });
        await wait(retryInMs);
      }
    }
  };

  /** The token the live client uses; asking the provider again means Salesforce refused it. */
  let token: string | undefined;
  let reauthing = false;

  /** Every event received so far is handled. */
  const drained = async (): Promise<void> => {
    let seen: Promise<void> | undefined;
    while (seen !== chain) {
      seen = chain;
      await seen;
    }
  };

  const connect = async (from: number, rejected: boolean): Promise<void> => {
    const instanceUrl =
      typeof options.instanceUrl === 'string' ? options.instanceUrl : await options.instanceUrl();
    // The Faye client's Authorization header is set once (salesforce.md §8.2): a new token means a
    // new client.
    if (token === undefined || rejected) token = await options.accessToken(rejected);
    const conn = new jsforce.Connection({ instanceUrl, accessToken: token, version: options.version });
    let subscribed = false;
    let fail: (error: Error) => void = () => undefined;
    // Salesforce answers an expired or revoked session with `401::Authentication invalid` on
    // /meta/connect, or `403::Handshake denied` on /meta/handshake, both with reconnect "none": Faye
    // stops there. Before the subscription is up that fails this connect; afterwards it re-handshakes.
    const authFailure = new StreamingExtension.AuthFailure(() => {
      if (client !== faye || stopped) return;
      if (!subscribed) fail(new CometdAuthError());
      else void reauthenticate();
    });
    // jsforce's bundled Faye typings omit disconnect(), which the Faye client has.
    const faye = conn.streaming.createClient([
      new StreamingExtension.Replay(CDC_CHANNEL, from),
      authFailure,
    ]) as unknown as FayeClient;
    client = faye;
    const onMessage = (m: unknown): void => {
      if (!isMessage(m)) {
        options.report({ kind: 'unreadable-message', message: m });
        return;
      }
      // Events of one delivery are handled together; batches in order, one at a time, so the saved
      // replay id never passes an unhandled event.
      pending.push(m);
      // flush() never rejects: onBatch's failures are retried inside it.
      chain = chain.then(flush);
    };
    await new Promise<void>((resolve, reject) => {
      fail = reject;
      faye.subscribe(CDC_CHANNEL, onMessage).then(
        () => {
          subscribed = true;
          resolve();
        },
        (err: unknown) => {
          reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        },
      );
    });
  };

  /** Subscribes after the loaded replay id (the tip when none), renewing the token while it is refused. */
  const open = async (rejected: boolean): Promise<void> => {
    let refused = rejected;
    let from: number | undefined;
    for (let attempt = 1; ; attempt += 1) {
      from ??= (await options.loadReplayId()) ?? TIP;
      try {
        await connect(from, refused);
        return;
      } catch (error) {
        client?.disconnect();
        if (stopped) return;
        if (error instanceof CometdAuthError && attempt < MAX_AUTH_ATTEMPTS) {
          refused = true;
          continue;
        }
        const message = error instanceof Error ? error.message : '';
        if (from === TIP || !/replayId/.test(message)) throw error;
        await options.onReplayGap();
        // The events before the tip are gone from the bus; the stream goes on from the tip.
        from = TIP;
        refused = false;
      }
    }
  };

  /**
   * The session behind a live subscription expired: drop the client, let the received events be
   * handled, renew the token through the provider and re-handshake from the loaded replay id, so the
   * events published meanwhile are replayed rather than lost.
   */
  const reauthenticate = async (): Promise<void> => {
    if (reauthing || stopped) return;
    reauthing = true;
    try {
      client?.disconnect();
      await drained();
      options.report({ kind: 'session-expired' });
      await open(true);
    } catch (error) {
      options.report({ kind: 'stopped', error });
      end(error);
    } finally {
      reauthing = false;
    }
    // stop() may have run during the awaits above (TypeScript keeps the narrowing from the top).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (stopped) client?.disconnect();
  };

  const start = async (): Promise<void> => {
    await open(false);
    if (stopped) client?.disconnect();
  };

  const ready = start();
  ready.catch(end);
  return {
    ready,
    idle: async () => {
      await ready;
      await drained();
    },
    ended,
    stop: () => {
      stopped = true;
      cutShort();
      end(undefined);
      client?.disconnect();
    },
  };
}
