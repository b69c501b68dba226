import {
  isOwnChange,
  subscribeChangeEvents,
  type CdcHeader,
  type ChangeEventMessage,
  type ChangeEventReport,
  type ChangeEventSubscription,
} from '../../../connectors/salesforce/index.ts';
import type { Logger } from '../../kit/logging/index.ts';
import type { KeyRing } from '../../kit/secrets/index.ts';
import type { Clock } from '../../kit/clock.ts';
import type { EpochMs, JsonObject, Store, Tenant } from '../../kit/store/index.ts';
import { peopleChanged } from '../../pipeline/index.ts';
import { SALESFORCE_API_VERSION } from './oauth-client.ts';
import { loadSalesforceSession } from './tokens.ts';

// The CometD client lives in the connector; these stay exported here for the integration's callers.
export { CDC_CHANNEL, isOwnChange } from '../../../connectors/salesforce/index.ts';
export type { CdcHeader } from '../../../connectors/salesforce/index.ts';

/** Sync-cursor stream holding the last handled replay id (CDC keeps events 72 hours, salesforce.md §8.1). */
export const CDC_CURSOR_STREAM = 'salesforce:cdc';
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
/**
 * Tries of a batch's targeted jobs before the SystemModstamp sweep is queued for it as well: with the
 * connector's backoff (0.5, 1, 2, 4, 8 s) that is about 15 s of failing, after which the fast path's
 * seconds are lost anyway and the sweep is as good.
 */
export const TARGETED_ATTEMPTS = 6;

export type CdcStore = Pick<Store, 'getSyncCursor' | 'setSyncCursor' | 'enqueueJob' | 'getCredential'>;

export interface CdcDeps {
  readonly store: CdcStore;
  readonly ring: KeyRing;
  /** Our connected app's client id: write-backs send it as `Sforce-Call-Options: client=…`. */
  readonly clientId: string;
  readonly accessToken: () => Promise<string>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Waits between tries of a batch that could not be queued; tests pass a fake (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type CdcSubscription = ChangeEventSubscription;

/**
 * What a log line may say of a failure: its name and message (the logger redacts tokens and emails in
 * both), not the error object, whose fields may hold a request, its headers or a record.
 */
export function errorSummary(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: typeof error, message: String(error) };
}

/** The people a batch names, and the watched objects whose changes need the sweep instead. */
function changesOf(
  headers: readonly CdcHeader[],
  clientId: string,
): { people: string[]; sweepEntities: string[] } {
  const people = new Set<string>();
  const sweepEntities = new Set<string>();
  for (const header of headers) {
    // Our own score writes carry our client id, and rescoring on them would loop forever.
    if (!WATCHED_ENTITIES.has(header.entityName) || isOwnChange(header, clientId)) continue;
    const ids = header.recordIds.filter((id) => PERSON_ID.test(id));
    const precise =
      PERSON_ENTITIES.has(header.entityName) &&
      !header.changeType.startsWith('GAP_') &&
      ids.length > 0 &&
      ids.length === header.recordIds.length;
    if (precise) for (const id of ids) people.add(id);
    else sweepEntities.add(header.entityName);
  }
  return { people: [...people], sweepEntities: [...sweepEntities].sort() };
}

/**
 * Change events as the fast path (issue 5 item 5), through the connector's CometD client. Events of
 * another writer naming Leads or Contacts enqueue an incremental job for exactly those records; the
 * replay id is saved after every handled batch, so a restart resumes there. A replay id past
 * retention falls back to the SystemModstamp sweep while the stream goes on from the tip: the sweep
 * covers what the bus forgot.
 */
export function subscribeSalesforceCdc(deps: CdcDeps, tenant: Tenant): CdcSubscription {
  const enqueue = (payload: JsonObject, idempotencyKey: string, now: EpochMs) =>
    deps.store.enqueueJob({ tenantId: tenant.id, type: 'incremental', payload, idempotencyKey }, now);

  const saveReplayId = (lastReplayId: number): Promise<void> =>
    deps.store.setSyncCursor({
      tenantId: tenant.id,
      stream: CDC_CURSOR_STREAM,
      cursor: String(lastReplayId),
      updatedAt: deps.clock.now(),
    });

  /**
   * The Leads and Contacts a batch names become targeted incremental jobs (exactly those records are
   * fetched and rescored); a change to another watched object (Account, Opportunity, Task, Event), a
   * gap event or a wildcard id asks for the SystemModstamp sweep. The last replay id is saved after
   * the jobs are queued.
   */
  const queueBatch = async (messages: readonly ChangeEventMessage[], lastReplayId: number): Promise<void> => {
    const { people, sweepEntities } = changesOf(
      messages.map((m) => m.payload.ChangeEventHeader),
      deps.clientId,
    );
    const now = deps.clock.now();
    for (let i = 0; i < people.length; i += IDS_PER_JOB) {
      // One job per batch, however often the bus redelivers it or the connector retries it.
      const recordIds = people.slice(i, i + IDS_PER_JOB);
      await enqueue(peopleChanged({ source: 'cdc', recordIds }), `cdc:${lastReplayId}:${i}`, now);
    }
    if (sweepEntities.length > 0) {
      await enqueue(
        peopleChanged({ source: 'cdc', entities: sweepEntities }),
        `cdc:${lastReplayId}:sweep`,
        now,
      );
    }
    await saveReplayId(lastReplayId);
  };

  /**
   * A batch that could not be queued is never dropped (docs/decisions.md, "Hardening (issue 14)"): the
   * connector hands it over again with a capped backoff while later events wait behind it, so the
   * saved replay id never passes it. Each try queues its targeted jobs first: once the store is back
   * they are what rescores within seconds. From try TARGETED_ATTEMPTS on, a failed try also queues one
   * `cdc-gap` sweep for the batch instead: a batch that can never be queued as targeted jobs (a
   * payload the store refuses) would otherwise hold the stream forever, while the SystemModstamp sweep
   * reads every change since its own cursor, these included. Only once that sweep is queued is the
   * replay id saved past the batch. If the store itself is down both fail, the error goes back to the
   * connector, and it keeps trying every 30 s: the events wait on the bus (72 hours, salesforce.md
   * §8.1) and in memory, not lost.
   */
  const onBatch = async (
    messages: readonly ChangeEventMessage[],
    lastReplayId: number,
    attempt: number,
  ): Promise<void> => {
    try {
      await queueBatch(messages, lastReplayId);
    } catch (error) {
      if (attempt < TARGETED_ATTEMPTS) throw error;
      const now = deps.clock.now();
      await enqueue(peopleChanged({ source: 'cdc-gap' }), `cdc:${lastReplayId}:unhandled`, now);
      // Recorded: the fast path missed these changes; the sweep job (in the job table) covers them.
      deps.logger.error('salesforce change events not queued; handed to the SystemModstamp sweep', {
        tenantId: tenant.id,
        attempt,
        events: messages.length,
        err: errorSummary(error),
      });
      await saveReplayId(lastReplayId);
    }
  };

  const onReplayGap = async (): Promise<void> => {
    deps.logger.warn('salesforce replay window lost; sweeping by SystemModstamp', { tenantId: tenant.id });
    const now = deps.clock.now();
    await enqueue(peopleChanged({ source: 'cdc-gap' }), `cdc:gap:${now}`, now);
  };

  const report = (r: ChangeEventReport): void => {
    const tenantId = tenant.id;
    switch (r.kind) {
      case 'batch-failed':
        // Only counts and the error's name and message: the batch names people (record ids).
        deps.logger.warn('salesforce change events not handled; retrying', {
          tenantId,
          attempt: r.attempt,
          retryInMs: r.retryInMs,
          err: errorSummary(r.error),
        });
        return;
      case 'unreadable-message':
        // Not logged whole: a change event's payload carries the record's field values.
        deps.logger.warn('salesforce change event unreadable; skipped', { tenantId });
        return;
      case 'session-expired':
        deps.logger.info('salesforce change-event session expired; re-handshaking', { tenantId });
        return;
      case 'stopped':
        // The subscription's `ended` resolves: the manager subscribes again after a backoff, and the
        // SystemModstamp sweep finds every change meanwhile.
        deps.logger.warn('salesforce change events stopped', { tenantId, err: errorSummary(r.error) });
    }
  };

  return subscribeChangeEvents({
    // Read from our encrypted store before every handshake, as the session may have been renewed.
    instanceUrl: async () => {
      const session = await loadSalesforceSession(deps.store, deps.ring, tenant.id);
      if (session === undefined) throw new Error(`tenant ${tenant.id} has no Salesforce session`);
      return session.instanceUrl;
    },
    version: SALESFORCE_API_VERSION,
    // Our provider renews when asked again for the token it last handed out: the flag is implied.
    accessToken: () => deps.accessToken(),
    loadReplayId: async () => {
      const saved = await deps.store.getSyncCursor(tenant.id, CDC_CURSOR_STREAM);
      return saved === undefined ? undefined : Number(saved.cursor);
    },
    onBatch,
    onReplayGap,
    report,
    ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
  });
}
