import {
  ConnectorError,
  type Connector,
  type ConnectorErrorCode,
  type CrmKind,
  type EpochMs,
  type ScoreWrite,
  type WriteResult,
} from '../../connectors/index.ts';
import { redactString } from '../kit/logging/index.ts';
import type { ScoreRecord, Store } from '../kit/store/index.ts';
import { reasonLinesOf, reasonsText } from './change.ts';

/**
 * Write-back (design §7): pending scores go to the CRM in the largest batch its API takes; a per-item
 * failure is retried without the items that succeeded, up to maxAttempts for retryable codes, then
 * lands in the dead-letter list (write-back state 'failed' with the reason) for the admin to see and
 * replay. A whole-call failure that does not clear leaves everything pending and fails the job, which
 * the queue retries later: no score is lost either way.
 */

/** HubSpot batch update takes 100 inputs; Salesforce sObject Collections takes 200 records. */
export const WRITE_BATCH_SIZE: Readonly<Record<CrmKind, number>> = { hubspot: 100, salesforce: 200 };

/**
 * Batches in flight at once. One at a time, HubSpot write-back was latency-bound (a call every 126 ms
 * where the 110 / 10 s window allows one every 91 ms); the portal's rate budget paces the calls, so
 * a few in flight fill the window without exceeding it. Salesforce stays at one: its daily allocation
 * is checked before each call, and overlapping calls would race that check.
 */
export const WRITE_CONCURRENCY: Readonly<Record<CrmKind, number>> = { hubspot: 4, salesforce: 1 };

export const DEFAULT_MAX_ATTEMPTS = 5;

export type Sleep = (ms: number) => Promise<void>;

export interface WriteBackDeps {
  store: Store;
  tenantId: string;
  connector: Pick<Connector, 'crm' | 'writeScores'>;
  clock: () => EpochMs;
  sleep: Sleep;
  batchSize?: number;
  /** Batches in flight at once; WRITE_CONCURRENCY of the connector's CRM by default. */
  concurrency?: number;
  maxAttempts?: number;
  /** Checked between batches: stop after the current one (graceful shutdown). */
  signal?: AbortSignal;
}

export interface WriteBackSummary {
  written: number;
  deadLettered: number;
  superseded: number;
  /** writeScores calls made (each is one API call at our batch size). */
  calls: number;
  /** True when the signal stopped the run with work left. */
  interrupted: boolean;
}

/** What a failure code means for the item or the whole run. */
export type RetryDecision = 'retry' | 'dead' | 'stop';

/**
 * Pure: retry transient trouble; stop the run (leaving items pending) when no call can succeed until
 * someone acts or a quota resets; dead-letter what this record itself got wrong.
 */
export function decideWriteRetry(code: ConnectorErrorCode): RetryDecision {
  switch (code) {
    case 'rate_limited':
    case 'unavailable':
    case 'locked':
      return 'retry';
    case 'unauthorized':
    case 'quota_exhausted':
      return 'stop';
    case 'forbidden':
    case 'not_found':
    case 'invalid_request':
    case 'conflict':
    case 'unknown':
      return 'dead';
  }
}

/** Exponential backoff from 500 ms, capped at 30 s, or what the CRM asked for. */
export function retryDelayMs(attempt: number, error?: ConnectorError): number {
  return error?.details.retryAfterMs ?? Math.min(30_000, 500 * 2 ** (attempt - 1));
}

export class WriteBackContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteBackContractError';
  }
}

function decisionModelVersion(score: ScoreRecord): string {
  const fromDecision = score.decision.modelVersion;
  if (typeof fromDecision === 'string' && fromDecision !== '') return fromDecision;
  return score.modelVersion ?? 'unknown';
}

/** A stored score in the write-back contract's canonical names. */
export function toScoreWrite(score: ScoreRecord): ScoreWrite {
  if (score.objectType !== 'contact' && score.objectType !== 'lead') {
    throw new WriteBackContractError(`score ${score.id}: object type ${score.objectType} cannot be written`);
  }
  return {
    crmId: score.personId,
    objectType: score.objectType,
    fields: {
      score: Math.round(score.score),
      tier: score.tier,
      fitScore: score.fitScore === null ? null : Math.round(score.fitScore),
      engagementScore: score.engagementScore === null ? null : Math.round(score.engagementScore),
      route: score.route,
      confidence: score.confidence,
      reasons: reasonsText(reasonLinesOf(score.reasons)),
      modelVersion: decisionModelVersion(score),
      scoredAt: score.scoredAt,
    },
  };
}

/** Newest pending score per person; the older ones are superseded (writing them would be stale). */
function newestPerPerson(pending: readonly ScoreRecord[]): { keep: ScoreRecord[]; older: ScoreRecord[] } {
  const newest = new Map<string, ScoreRecord>();
  const older: ScoreRecord[] = [];
  for (const s of pending) {
    const seen = newest.get(s.personId);
    if (seen === undefined) newest.set(s.personId, s);
    else if (s.scoredAt >= seen.scoredAt) {
      older.push(seen);
      newest.set(s.personId, s);
    } else older.push(s);
  }
  return { keep: [...newest.values()], older };
}

function checkResults(batch: readonly ScoreRecord[], results: readonly WriteResult[]): void {
  if (results.length !== batch.length) {
    throw new WriteBackContractError(
      `connector answered ${results.length} results for ${batch.length} writes`,
    );
  }
  results.forEach((r, i) => {
    const expected = batch[i]?.personId;
    if (r.crmId !== expected) {
      throw new WriteBackContractError(
        `connector result ${i} is for ${r.crmId}, expected ${String(expected)}`,
      );
    }
  });
}

interface BatchOutcome {
  written: number;
  dead: number;
  calls: number;
}

async function writeBatch(deps: WriteBackDeps, batch: readonly ScoreRecord[]): Promise<BatchOutcome> {
  const { store, tenantId, connector } = deps;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const outcome: BatchOutcome = { written: 0, dead: 0, calls: 0 };
  let queue = [...batch];
  const lastError = new Map<string, string>();
  for (let attempt = 1; queue.length > 0; attempt++) {
    let results: WriteResult[];
    try {
      outcome.calls++;
      results = await connector.writeScores(queue.map(toScoreWrite));
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      const decision = decideWriteRetry(error.code);
      // A whole call that keeps failing says nothing against any one record: leave them pending, fail the job.
      if (decision !== 'retry' || attempt >= maxAttempts) throw error;
      await deps.sleep(retryDelayMs(attempt, error));
      continue;
    }
    checkResults(queue, results);
    const retry: ScoreRecord[] = [];
    const dead: { score: ScoreRecord; reason: string }[] = [];
    const ok: ScoreRecord[] = [];
    let stop: ConnectorError | undefined;
    let wait = 0;
    results.forEach((r, i) => {
      const score = queue[i] as ScoreRecord;
      if (r.ok) {
        ok.push(score);
        return;
      }
      // Stored on the score and shown by the dead-letter API: redacted as a log line would be, since a
      // CRM's item error can quote the record (email, name) or what it was sent.
      const reason = redactString(`${r.error.code}: ${r.error.message}`);
      lastError.set(score.id, reason);
      const decision = decideWriteRetry(r.error.code);
      if (decision === 'stop') stop ??= r.error;
      else if (decision === 'dead') dead.push({ score, reason });
      else if (attempt >= maxAttempts)
        dead.push({ score, reason: `gave up after ${attempt} attempts: ${reason}` });
      else {
        retry.push(score);
        wait = Math.max(wait, retryDelayMs(attempt, r.error));
      }
    });
    const at = deps.clock();
    await store.transaction(async (tx) => {
      for (const s of ok) await tx.setWriteBackState(tenantId, s.id, 'written', at);
      for (const d of dead) await tx.setWriteBackState(tenantId, d.score.id, 'failed', at, d.reason);
    });
    outcome.written += ok.length;
    outcome.dead += dead.length;
    // Items that hit a stop code stay pending, as do the retries: the job fails and runs again later.
    if (stop !== undefined) throw stop;
    queue = retry;
    if (queue.length > 0) await deps.sleep(wait);
  }
  return outcome;
}

/**
 * Pending scores read per round. A round ends when its last batch is answered, which leaves the
 * window idle for about one call's latency: 50 batches per round keep that under ~2% of the time.
 */
const PAGE = 5_000;

/** Writes every pending score of the tenant; resumable (state lives in the scores table). */
export async function writeBackPending(deps: WriteBackDeps): Promise<WriteBackSummary> {
  const { store, tenantId } = deps;
  const batchSize = deps.batchSize ?? WRITE_BATCH_SIZE[deps.connector.crm];
  const concurrency = Math.max(1, deps.concurrency ?? WRITE_CONCURRENCY[deps.connector.crm]);
  const summary: WriteBackSummary = {
    written: 0,
    deadLettered: 0,
    superseded: 0,
    calls: 0,
    interrupted: false,
  };
  for (;;) {
    const pending = await store.listScoresByWriteBack(tenantId, 'pending', PAGE);
    if (pending.length === 0) return summary;
    const { keep, older } = newestPerPerson(pending);
    if (older.length > 0) {
      const at = deps.clock();
      await store.transaction(async (tx) => {
        for (const s of older)
          await tx.setWriteBackState(tenantId, s.id, 'skipped', at, 'superseded by a newer score');
      });
      summary.superseded += older.length;
    }
    // A person appears once per round (newest score only), so batches in flight never hold the same
    // person, and a round ends before the next reads the table: no score is sent twice or out of order.
    const batches: ScoreRecord[][] = [];
    for (let i = 0; i < keep.length; i += batchSize) batches.push(keep.slice(i, i + batchSize));
    let next = 0;
    let failure: { error: unknown } | undefined;
    const lane = async (): Promise<void> => {
      while (failure === undefined && next < batches.length) {
        if (deps.signal?.aborted === true) {
          summary.interrupted = true;
          return;
        }
        const batch = batches[next++] as ScoreRecord[];
        try {
          const result = await writeBatch(deps, batch);
          summary.written += result.written;
          summary.deadLettered += result.dead;
          summary.calls += result.calls;
        } catch (error) {
          // The first failure stops new batches; those in flight finish and keep their results.
          failure ??= { error };
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, lane));
    if (failure !== undefined) throw failure.error;
    if (summary.interrupted) return summary;
  }
}

/**
 * Replays dead letters: each failed score that is still its person's latest goes back to pending (a
 * newer score has superseded the others). `personIds` limits the replay to those persons (the admin
 * fixed some records in the CRM); absent, every dead letter is replayed. Returns how many were re-queued.
 */
export async function replayFailedWrites(
  store: Store,
  tenantId: string,
  now: EpochMs,
  personIds?: readonly string[],
): Promise<number> {
  const only = personIds === undefined ? undefined : new Set(personIds);
  const failed = await store.listScoresByWriteBack(tenantId, 'failed', 10_000);
  let replayed = 0;
  for (const s of failed) {
    if (only !== undefined && !only.has(s.personId)) continue;
    const latest = await store.getLatestScore(tenantId, s.personId);
    if (latest?.id !== s.id) {
      await store.setWriteBackState(
        tenantId,
        s.id,
        'skipped',
        now,
        `superseded by score ${latest?.id ?? '(deleted)'}; was failed: ${s.writeBackError ?? ''}`,
      );
      continue;
    }
    await store.setWriteBackState(tenantId, s.id, 'pending', now);
    replayed++;
  }
  return replayed;
}
