import jsforce from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';
import type { Logger } from '../../kit/logging/index.ts';
import type { KeyRing } from '../../kit/secrets/index.ts';
import type { Clock } from '../../kit/clock.ts';
import type { Store, Tenant } from '../../kit/store/index.ts';
import { peopleChanged } from '../../pipeline/index.ts';
import { SALESFORCE_API_VERSION } from './oauth-client.ts';
import { loadSalesforceSession } from './tokens.ts';

/** Sync-cursor stream holding the last handled replay id (CDC keeps events 72 hours, salesforce.md §8.1). */
export const CDC_CURSOR_STREAM = 'salesforce:cdc';
/** One channel for every selected entity, so one replay id orders them all (salesforce.md §8.1). */
export const CDC_CHANNEL = '/data/ChangeEvents';
/** The objects whose changes can move a score. */
export const WATCHED_ENTITIES: ReadonlySet<string> = new Set([
  'Lead',
  'Contact',
  'Account',
  'Opportunity',
  'Task',
  'Event',
]);
/** Change events of these objects name the people to rescore; others need the sweep. */
const PERSON_ENTITIES: ReadonlySet<string> = new Set(['Lead', 'Contact']);
/** A Lead (00Q) or Contact (003) id; `recordIds` may also hold a `001*`-style wildcard (salesforce.md §8.1). */
const PERSON_ID = /^(?:00Q|003)[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?$/;
/** Record ids per targeted job, so a burst becomes a few bounded jobs rather than one huge payload. */
export const IDS_PER_JOB = 2000;
/** Handshakes refused for authentication in a row before the subscription gives up (the sweep covers). */
const MAX_AUTH_ATTEMPTS = 3;

/** The Bayeux server refused the session (reconnect "none" on handshake or connect). */
class CometdAuthError extends Error {
  constructor() {
    super('Salesforce refused the streaming session (401::Authentication invalid)');
    this.name = 'CometdAuthError';
  }
}

/** Replay presets: -1 new events only (salesforce.md §8.2). */
const TIP = -1;

export interface CdcHeader {
  readonly entityName: string;
  readonly recordIds: readonly string[];
  readonly changeType: string;
  readonly changeOrigin: string;
}

interface CdcMessage {
  readonly payload: { readonly ChangeEventHeader: CdcHeader };
  readonly event: { readonly replayId: number };
}

export type CdcStore = Pick<Store, 'getSyncCursor' | 'setSyncCursor' | 'enqueueJob' | 'getCredential'>;

export interface CdcDeps {
  readonly store: CdcStore;
  readonly ring: KeyRing;
  /** Our connected app's client id: write-backs send it as `Sforce-Call-Options: client=…`. */
  readonly clientId: string;
  readonly accessToken: () => Promise<string>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface CdcSubscription {
  /** Resolves when the subscription is live (after any fallback). */
  readonly ready: Promise<void>;
  /** Resolves when every received event has been handled. */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * `changeOrigin` is `com/salesforce/api/<api>/<ver>;client=<Client_ID>` (salesforce.md §8.1): our own
 * score writes carry our client id, and rescoring on them would loop forever.
 */
export function isOwnChange(header: CdcHeader, clientId: string): boolean {
  return header.changeOrigin.split(';').some((part) => part.trim() === `client=${clientId}`);
}

interface FayeClient {
  subscribe(channel: string, onMessage: (m: unknown) => void): PromiseLike<unknown>;
  disconnect(): void;
}

function isMessage(m: unknown): m is CdcMessage {
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
 * Change events as the fast path (issue 5 item 5), over CometD as jsforce's Faye client speaks it.
 * Events of another writer naming Leads or Contacts enqueue an incremental job for exactly those
 * records; the replay id is saved after every handled batch, so a restart resumes there. A replay id past retention (Salesforce's "The
 * replayId {n} you provided was invalid") falls back to the SystemModstamp sweep and resubscribes
 * from the tip: the sweep covers what the bus forgot.
 */
export function subscribeSalesforceCdc(deps: CdcDeps, tenant: Tenant): CdcSubscription {
  let client: FayeClient | undefined;
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const pending: CdcMessage[] = [];

  const saveReplay = (replayId: number): Promise<void> =>
    deps.store.setSyncCursor({
      tenantId: tenant.id,
      stream: CDC_CURSOR_STREAM,
      cursor: String(replayId),
      updatedAt: deps.clock.now(),
    });

  /**
   * Handles every event received so far as one batch: the Leads and Contacts they name become one
   * targeted incremental job (exactly those records are fetched and rescored); a change to another
   * watched object (Account, Opportunity, Task, Event), a gap event or a wildcard id asks for the
   * SystemModstamp sweep. The last replay id is saved after the jobs are queued.
   */
  const flush = async (): Promise<void> => {
    const batch = pending.splice(0);
    const last = batch.at(-1);
    if (last === undefined) return;
    const people = new Set<string>();
    const sweepEntities = new Set<string>();
    for (const m of batch) {
      const header = m.payload.ChangeEventHeader;
      if (!WATCHED_ENTITIES.has(header.entityName) || isOwnChange(header, deps.clientId)) continue;
      const ids = header.recordIds.filter((id) => PERSON_ID.test(id));
      const precise =
        PERSON_ENTITIES.has(header.entityName) &&
        !header.changeType.startsWith('GAP_') &&
        ids.length > 0 &&
        ids.length === header.recordIds.length;
      if (precise) for (const id of ids) people.add(id);
      else sweepEntities.add(header.entityName);
    }
    const now = deps.clock.now();
    const ids = [...people];
    for (let i = 0; i < ids.length; i += IDS_PER_JOB) {
      await deps.store.enqueueJob(
        {
          tenantId: tenant.id,
          type: 'incremental',
          payload: peopleChanged({ source: 'cdc', recordIds: ids.slice(i, i + IDS_PER_JOB) }),
          // One job per batch, however often the bus redelivers it.
          idempotencyKey: `cdc:${last.event.replayId}:${i}`,
        },
        now,
      );
    }
    if (sweepEntities.size > 0) {
      await deps.store.enqueueJob(
        {
          tenantId: tenant.id,
          type: 'incremental',
          payload: peopleChanged({ source: 'cdc', entities: [...sweepEntities].sort() }),
          idempotencyKey: `cdc:${last.event.replayId}:sweep`,
        },
        now,
      );
    }
    await saveReplay(last.event.replayId);
  };

  /** The token the live client uses; asking the provider again means Salesforce refused it. */
  let token: string | undefined;
  let reauthing = false;

  /** Every event received so far is handled and its replay id saved. */
  const drained = async (): Promise<void> => {
    let seen: Promise<void> | undefined;
    while (seen !== chain) {
      seen = chain;
      await seen;
    }
  };

  const connect = async (from: number, rejected: boolean): Promise<void> => {
    const session = await loadSalesforceSession(deps.store, deps.ring, tenant.id);
    if (session === undefined) throw new Error(`tenant ${tenant.id} has no Salesforce session`);
    // The Faye client's Authorization header is set once (salesforce.md §8.2): a new token means a
    // new client. The provider renews when asked again for the token it last handed out.
    if (token === undefined || rejected) token = await deps.accessToken();
    const conn = new jsforce.Connection({
      instanceUrl: session.instanceUrl,
      accessToken: token,
      version: SALESFORCE_API_VERSION,
    });
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
      if (!isMessage(m)) return;
      // Events of one delivery are handled together; batches in order, one at a time, so the saved
      // replay id never passes an unhandled event.
      pending.push(m);
      chain = chain.then(flush).catch((error: unknown) => {
        deps.logger.error('salesforce change event not handled', { tenantId: tenant.id, err: error });
      });
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

  /** Subscribes from the saved replay id (the tip when none), renewing the token while it is refused. */
  const open = async (rejected: boolean): Promise<void> => {
    let refused = rejected;
    let from: number | undefined;
    for (let attempt = 1; ; attempt += 1) {
      if (from === undefined) {
        const saved = await deps.store.getSyncCursor(tenant.id, CDC_CURSOR_STREAM);
        from = saved === undefined ? TIP : Number(saved.cursor);
      }
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
        deps.logger.warn('salesforce replay window lost; sweeping by SystemModstamp', {
          tenantId: tenant.id,
        });
        const now = deps.clock.now();
        await deps.store.enqueueJob(
          {
            tenantId: tenant.id,
            type: 'incremental',
            payload: peopleChanged({ source: 'cdc-gap' }),
            idempotencyKey: `cdc:gap:${now}`,
          },
          now,
        );
        // The sweep covers what the bus forgot; the stream goes on from the tip.
        from = TIP;
        refused = false;
      }
    }
  };

  /**
   * The session behind a live subscription expired: drop the client, let the handled events' replay
   * ids settle, renew the token through the provider and re-handshake from the last saved replay id,
   * so the events published meanwhile are replayed rather than lost.
   */
  const reauthenticate = async (): Promise<void> => {
    if (reauthing || stopped) return;
    reauthing = true;
    try {
      client?.disconnect();
      await drained();
      deps.logger.info('salesforce change-event session expired; re-handshaking', { tenantId: tenant.id });
      await open(true);
    } catch (error) {
      // The SystemModstamp sweep still finds every change; the fast path stays down until a restart.
      deps.logger.warn('salesforce change events stopped', { tenantId: tenant.id, err: error });
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
  return {
    ready,
    idle: async () => {
      await ready;
      await drained();
    },
    stop: () => {
      stopped = true;
      client?.disconnect();
    },
  };
}
