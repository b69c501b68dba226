import {
  ConnectorError,
  type Connector,
  type ConnectorErrorCode,
  type CrmKind,
  type EpochMs,
  type ScoreWrite,
  type WriteResult,
} from '../../connectors/index.ts';
import { randomUUID } from 'node:crypto';
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
  /** How long a claim on the scores being sent lasts unless renewed; WRITE_CLAIM_MS by default. */
  claimMs?: number;
}

export interface WriteBackSummary {
  written: number;
  deadLettered: number;
  superseded: number;
  /**
   * Sent, and accepted by the CRM, but superseded (or claimed by another run) before the answer came:
   * not marked written; the person's newest score goes after it.
   */
  landedLate: number;
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
  landedLate: number;
}

/**
 * A score of `landed` reached the CRM although the row had moved on meanwhile (superseded by a newer
 * score while in flight, or claimed by another run after our claim lapsed): what the CRM shows may now
 * be older than the person's newest score. While our claim was live nothing newer of the person can
 * have been written (claims hold the person), so the newest is pending and goes after ours. Past a
 * lapsed claim another run may have written the newest before our call answered: that one, or a newest
 * one stored as unchanged against it, goes back to pending, so it is written again and lands last.
 */
async function resendNewest(tx: Store, landed: ScoreRecord, at: EpochMs): Promise<void> {
  const newest = await tx.getLatestScore(landed.tenantId, landed.personId);
  if (newest === undefined || newest.id === landed.id) return;
  // 'skipped' with no reason is "unchanged since the last write"; skipped with a reason was set aside
  // (superseded, closed, no lawful basis) and stays so.
  const resend =
    newest.writeBack === 'written' || (newest.writeBack === 'skipped' && newest.writeBackError === null);
  if (resend)
    await tx.transitionWriteBack(newest.tenantId, newest.id, { from: [newest.writeBack], to: 'pending', at });
}

interface Run {
  deps: WriteBackDeps;
  /** this run's claim token */
  token: string;
  claimMs: number;
}

async function writeBatch(run: Run, batch: readonly ScoreRecord[]): Promise<BatchOutcome> {
  const { deps, token } = run;
  const { store, tenantId, connector } = deps;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const outcome: BatchOutcome = { written: 0, dead: 0, calls: 0, landedLate: 0 };
  let queue = [...batch];
  /** Before a retry: keep only what is still ours and pending, covering the wait and the next call. */
  const renew = async (wait: number): Promise<void> => {
    const now = deps.clock();
    const kept = new Set(
      await store.renewWriteBackClaims(
        tenantId,
        token,
        queue.map((s) => s.id),
        now,
        now + wait + run.claimMs,
      ),
    );
    // Dropped: superseded meanwhile (nothing to send), or a lapsed claim (another run may hold the person).
    queue = queue.filter((s) => kept.has(s.id));
  };
  try {
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
        const wait = retryDelayMs(attempt, error);
        await renew(wait);
        await deps.sleep(wait);
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
      // Each result is recorded only from 'pending' and only under our claim: a score superseded while
      // in flight stays superseded, and a row another run claimed after ours lapsed is that run's.
      const marked = await store.transaction(async (tx) => {
        const m = { written: 0, dead: 0, landedLate: 0 };
        const mine = { from: ['pending'] as const, at, claim: token };
        for (const s of ok) {
          if (await tx.transitionWriteBack(tenantId, s.id, { ...mine, to: 'written' })) m.written++;
          else {
            m.landedLate++;
            await tx.releaseWriteBackClaims(tenantId, token, [s.id]);
            await resendNewest(tx, s, at);
          }
        }
        for (const d of dead) {
          const failed = { ...mine, to: 'failed' as const, error: d.reason };
          if (await tx.transitionWriteBack(tenantId, d.score.id, failed)) m.dead++;
          else await tx.releaseWriteBackClaims(tenantId, token, [d.score.id]);
        }
        return m;
      });
      outcome.written += marked.written;
      outcome.dead += marked.dead;
      outcome.landedLate += marked.landedLate;
      // Items that hit a stop code stay pending, as do the retries: the job fails and runs again later.
      if (stop !== undefined) throw stop;
      queue = retry;
      if (queue.length > 0) {
        await renew(wait);
        await deps.sleep(wait);
      }
    }
  } finally {
    // Whatever is left (a stop, a failed call, a contract error) stays pending for the next run: free
    // its persons now rather than when the claims lapse. A store that is down lets them lapse instead.
    await store
      .releaseWriteBackClaims(
        tenantId,
        token,
        batch.map((s) => s.id),
      )
      .catch(() => undefined);
  }
  return outcome;
}

/**
 * How long a claim holds its persons unless renewed (before each retry). Longer than one CRM call
 * takes, so a live run never loses a claim mid-call; short enough that the persons of a run that died
 * (SIGKILL, lost host) are written by the next run within a minute. A call that outlives it is still
 * safe: its late answer marks nothing and sends the newest score again (resendNewest).
 */
export const WRITE_CLAIM_MS = 60_000;

/** How often a run that found only persons held by a write in flight looks again. */
export const HELD_POLL_MS = 1_000;

/**
 * Writes every pending score of the tenant; resumable (state lives in the scores table). Safe to run
 * twice at once for one tenant (two write-back jobs, a job and the bench): each run claims the scores
 * it sends (claimWriteBack), only each person's newest pending score is claimed, and a person with a
 * write in flight is left to that write; the run waits for it rather than leave the newer score
 * behind, so nothing stays pending when both end.
 */
export async function writeBackPending(deps: WriteBackDeps): Promise<WriteBackSummary> {
  const { store, tenantId } = deps;
  const batchSize = deps.batchSize ?? WRITE_BATCH_SIZE[deps.connector.crm];
  const concurrency = Math.max(1, deps.concurrency ?? WRITE_CONCURRENCY[deps.connector.crm]);
  const run: Run = { deps, token: randomUUID(), claimMs: deps.claimMs ?? WRITE_CLAIM_MS };
  const summary: WriteBackSummary = {
    written: 0,
    deadLettered: 0,
    superseded: 0,
    landedLate: 0,
    calls: 0,
    interrupted: false,
  };
  const claim = async (limit: number) => {
    const now = deps.clock();
    const c = await store.claimWriteBack(tenantId, {
      token: run.token,
      now,
      until: now + run.claimMs,
      limit,
    });
    summary.superseded += c.superseded;
    return c;
  };
  const release = (batch: readonly ScoreRecord[]) =>
    store.releaseWriteBackClaims(
      tenantId,
      run.token,
      batch.map((s) => s.id),
    );
  // An object, not lets: the lanes set it from their closures.
  const halt: { failure?: { error: unknown }; stopped: boolean } = { stopped: false };

  // The first claim fills every lane, so `concurrency` batches start together; then each lane claims
  // its next batch when its last one is answered.
  const first = deps.signal?.aborted === true ? undefined : await claim(concurrency * batchSize);
  const initial: ScoreRecord[][] = [];
  for (let i = 0; first !== undefined && i < first.claimed.length; i += batchSize)
    initial.push(first.claimed.slice(i, i + batchSize));

  const lane = async (start: ScoreRecord[] | undefined): Promise<void> => {
    let batch = start;
    for (;;) {
      if (halt.failure !== undefined || deps.signal?.aborted === true) {
        halt.stopped ||= deps.signal?.aborted === true;
        if (batch !== undefined) await release(batch);
        return;
      }
      if (batch === undefined) {
        const next = await claim(batchSize);
        if (next.claimed.length === 0) {
          // Only persons with a write in flight are left: wait for it, then claim their newer score.
          if (next.held === 0) return;
          await deps.sleep(HELD_POLL_MS);
          continue;
        }
        batch = next.claimed;
        continue;
      }
      try {
        const result = await writeBatch(run, batch);
        summary.written += result.written;
        summary.deadLettered += result.dead;
        summary.landedLate += result.landedLate;
        summary.calls += result.calls;
      } catch (error) {
        // The first failure stops new batches; those in flight finish and keep their results.
        halt.failure ??= { error };
        return;
      }
      batch = undefined;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => lane(initial[i])));
  if (halt.failure !== undefined) throw halt.failure.error;
  if (halt.stopped || first === undefined)
    summary.interrupted = (await store.listScoresByWriteBack(tenantId, 'pending', 1)).length > 0;
  return summary;
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
    // Compare-and-set from 'failed': a replay racing another replay, or a rescore that set the
    // score aside meanwhile, moves nothing twice.
    if (latest?.id !== s.id) {
      await store.transitionWriteBack(tenantId, s.id, {
        from: ['failed'],
        to: 'skipped',
        at: now,
        error: `superseded by score ${latest?.id ?? '(deleted)'}; was failed: ${s.writeBackError ?? ''}`,
      });
      continue;
    }
    if (await store.transitionWriteBack(tenantId, s.id, { from: ['failed'], to: 'pending', at: now }))
      replayed++;
  }
  return replayed;
}
