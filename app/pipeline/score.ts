import { createHash, randomUUID } from 'node:crypto';
import type { EpochMs } from '../../connectors/index.ts';
import {
  DEFAULT_POLICY,
  parseModelArtifact,
  parsePolicy,
  scoreLead,
  Scorer,
  type LeadDecision,
  type ScoringContext,
} from '../../scoring/index.ts';
import { appendAudit } from '../kit/audit/index.ts';
import type { JsonValue, ScoreRecord, Store, WriteBackState } from '../kit/store/index.ts';
import { everyoneAsOf, type PersonAsOf } from './as-of.ts';
import { CLEAR_JOB, CLEAR_REASON, type ClearItem } from './clear.ts';
import { detectChange, reasonLinesOf, reasonsText, type WrittenView } from './change.ts';
import type { CrmFieldMap } from './feature-spec.ts';
import { DEFAULT_RULES } from './rules.ts';
import { eventLoopTurns } from './yield.ts';

/**
 * Scoring as of now: every person (or the ones named) → features → champion model or fallback rules
 * → tier and route under the tenant's policy → a stored score. A score is queued for write-back only
 * when it differs meaningfully from the last one written to the CRM (change.ts); otherwise it is
 * stored as 'skipped' and costs no API call.
 */

export interface ScoreRunDeps {
  store: Store;
  tenantId: string;
  now: EpochMs;
  fields: CrmFieldMap;
  /** Only these persons (a webhook's rescore); all when absent. */
  personIds?: readonly string[];
  /** Audit actor, e.g. 'worker:<id>' or 'system'. */
  actor: string;
}

export interface ScoreRunSummary {
  runId: string;
  considered: number;
  scored: number;
  pending: number;
  unchanged: number;
  /** Persons with no score (no lawful basis and a policy of "none"); in the audit with the reason. */
  unscored: number;
  /**
   * Of the unscored, persons without a lawful basis whose earlier score is in the CRM: a clear-scores
   * job empties their leadgate fields (clear.ts).
   */
  toClear: number;
  /**
   * Persons the CRM has closed (a converted Salesforce Lead): not scored, nothing written, any
   * waiting or dead-lettered score of theirs set aside; in the audit as 'closed'.
   */
  closed: number;
  modelVersion: string | null;
  policyVersion: number | null;
}

/** How far back a person's history is searched for the last written score. */
const HISTORY_LIMIT = 100;
/** Persons per transaction and per audit entry. */
const CHUNK = 250;

export async function scoringContextFor(
  store: Pick<Store, 'getChampion' | 'getPolicy'>,
  tenantId: string,
): Promise<{ context: ScoringContext; policyVersion: number | null; modelVersion: string | null }> {
  const champion = await store.getChampion(tenantId);
  const policyRecord = await store.getPolicy(tenantId);
  const policy = policyRecord === undefined ? DEFAULT_POLICY : parsePolicy(policyRecord.document);
  const model = champion === undefined ? undefined : new Scorer(parseModelArtifact(champion.artifact));
  return {
    context: { policy, rules: DEFAULT_RULES, ...(model === undefined ? {} : { model }) },
    policyVersion: policyRecord?.version ?? null,
    modelVersion: champion?.version ?? null,
  };
}

export function writtenViewOf(score: Pick<ScoreRecord, 'score' | 'tier' | 'route' | 'reasons'>): WrittenView {
  return {
    score: score.score,
    tier: score.tier,
    route: score.route,
    reasons: reasonsText(reasonLinesOf(score.reasons)),
  };
}

/**
 * The last score written to the CRM for a person. A history longer than HISTORY_LIMIT with no written
 * score reads as "none written", which queues a write: the safe direction (one extra call, never a lost one).
 */
async function lastWritten(store: Pick<Store, 'listScores'>, tenantId: string, personId: string) {
  const history = await store.listScores(tenantId, personId, HISTORY_LIMIT);
  return { history, written: history.find((s) => s.writeBack === 'written') };
}

/**
 * A newer score (or a closed record) sets aside any older one still waiting or dead-lettered:
 * writing it later would put a stale value into the CRM. `why` and the old reason are kept in the
 * error text for the admin. Each move is a compare-and-set from the state read (issue 14 item 7): a
 * write-back that marked the score written meanwhile keeps its result, and is counted in `raced`.
 */
async function supersede(
  tx: Store,
  tenantId: string,
  older: readonly ScoreRecord[],
  why: string,
  now: EpochMs,
): Promise<{ setAside: number; raced: number }> {
  const out = { setAside: 0, raced: 0 };
  for (const s of older) {
    if (s.writeBack !== 'pending' && s.writeBack !== 'failed') continue;
    const was = s.writeBack === 'failed' ? `; was failed: ${s.writeBackError ?? ''}` : '';
    const moved = await tx.transitionWriteBack(tenantId, s.id, {
      from: [s.writeBack],
      to: 'skipped',
      at: now,
      error: `${why}${was}`,
    });
    if (moved) out.setAside++;
    else if (s.writeBack === 'pending') out.raced++;
  }
  return out;
}

/** The closing rule a person's record matches (CrmFieldMap.closed), if any. */
export function closedBy(
  fields: CrmFieldMap,
  objectType: string,
  properties: Readonly<Record<string, string | null>>,
): { property: string; equals: string } | undefined {
  return fields.closed?.find((r) => r.objectType === objectType && properties[r.property] === r.equals);
}

/**
 * A closed record accepts no write (Salesforce answers CANNOT_UPDATE_CONVERTED_LEAD), so scores still
 * waiting for it, or dead-lettered because the CRM refused them, would only fail or linger: they are
 * set aside with the reason. This also clears a Lead converted between its scoring and its write.
 */
async function setAsideForClosed(tx: Store, tenantId: string, personId: string, why: string, now: EpochMs) {
  const { history } = await lastWritten(tx, tenantId, personId);
  return (await supersede(tx, tenantId, history, why, now)).setAside;
}

function inputsHash(p: PersonAsOf, modelVersion: string | null, policyVersion: string): string {
  return createHash('sha256')
    .update(JSON.stringify([p.lead, modelVersion, policyVersion, p.profilingAllowed]))
    .digest('hex');
}

type Decided = { person: PersonAsOf; decision: LeadDecision };

function auditLine(
  d: Decided,
  scoreId: string | null,
  state: WriteBackState | 'unscored',
  why: string[],
): JsonValue {
  const { decision } = d;
  return [
    d.person.person.crmId,
    scoreId,
    decision.score,
    decision.tier,
    decision.route,
    state,
    why.join(',') || decision.notes.join('; '),
  ];
}

export async function scoreTenant(deps: ScoreRunDeps): Promise<ScoreRunSummary> {
  const { store, tenantId, now } = deps;
  const { context, policyVersion, modelVersion } = await scoringContextFor(store, tenantId);
  const only = deps.personIds === undefined ? undefined : new Set(deps.personIds);
  const people = await everyoneAsOf(store, tenantId, now, deps.fields, only);
  const summary: ScoreRunSummary = {
    runId: randomUUID(),
    considered: people.length,
    scored: 0,
    pending: 0,
    unchanged: 0,
    unscored: 0,
    toClear: 0,
    closed: 0,
    modelVersion,
    policyVersion,
  };
  const turn = eventLoopTurns(1);
  for (let start = 0; start < people.length; start += CHUNK) {
    // Between transactions, never inside one: the loop gets a turn once per chunk (yield.ts).
    if (start > 0) await turn();
    const chunk = people.slice(start, start + CHUNK);
    const lines: JsonValue[] = [];
    await store.transaction(async (tx) => {
      const clears: ClearItem[] = [];
      for (const person of chunk) {
        const rule = closedBy(deps.fields, person.objectType, person.person.properties);
        if (rule !== undefined) {
          const why = `closed in the CRM (${rule.property} = ${rule.equals})`;
          const setAside = await setAsideForClosed(tx, tenantId, person.person.crmId, why, now);
          summary.closed++;
          lines.push([
            person.person.crmId,
            null,
            null,
            null,
            null,
            'closed',
            setAside > 0 ? `${why}; ${setAside} set aside` : why,
          ]);
          continue;
        }
        const decision = scoreLead(context, person.lead, { profilingAllowed: person.profilingAllowed });
        const decided = { person, decision };
        if (
          decision.score === null ||
          decision.tier === null ||
          decision.route === null ||
          decision.confidence === null ||
          decision.probability === null
        ) {
          summary.unscored++;
          const why: string[] = [];
          if (!person.profilingAllowed) {
            // No lawful basis: nothing of ours may stay on its way to the CRM, nor in it.
            const crmId = person.person.crmId;
            const { history, written } = await lastWritten(tx, tenantId, crmId);
            const { setAside } = await supersede(tx, tenantId, history, CLEAR_REASON, now);
            if (setAside > 0) why.push(`${setAside} waiting set aside`);
            if (written !== undefined && (person.objectType === 'contact' || person.objectType === 'lead')) {
              clears.push({ personId: crmId, objectType: person.objectType });
              summary.toClear++;
              why.push(`written score ${written.id} to be cleared in the CRM`);
            }
          }
          const detail = why.length === 0 ? [] : [[...decision.notes, ...why].join('; ')];
          lines.push(auditLine(decided, null, 'unscored', detail));
          continue;
        }
        const crmId = person.person.crmId;
        const view: WrittenView = {
          score: decision.score,
          tier: decision.tier,
          route: decision.route,
          reasons: reasonsText(decision.reasons),
        };
        const { history, written } = await lastWritten(tx, tenantId, crmId);
        const change = detectChange(written === undefined ? undefined : writtenViewOf(written), view);
        let writeBack: WriteBackState = change.changed ? 'pending' : 'skipped';
        const row = await tx.insertScore({
          tenantId,
          personId: crmId,
          objectType: person.objectType,
          modelVersion: decision.source === 'model' ? decision.modelVersion : null,
          policyVersion,
          inputsHash: inputsHash(person, decision.modelVersion, decision.policyVersion),
          probability: decision.probability,
          score: decision.score,
          fitScore: decision.fit,
          engagementScore: decision.engagement,
          tier: decision.tier,
          route: decision.route,
          confidence: decision.confidence,
          reasons: decision.reasons.map((r) => ({ ...r })),
          decision: {
            source: decision.source,
            modelVersion: decision.modelVersion,
            policy: decision.policyVersion,
            notes: [...decision.notes],
            change: change.why,
          },
          writeBack,
          scoredAt: now,
        });
        const why = [...change.why];
        const { raced } = await supersede(tx, tenantId, history, `superseded by score ${row.id}`, now);
        if (raced > 0 && writeBack === 'skipped') {
          // A write-back wrote a score we read as pending (PostgreSQL: its transaction committed
          // after our read): "unchanged" was judged against an older write, so this one is written too.
          await tx.transitionWriteBack(tenantId, row.id, { from: ['skipped'], to: 'pending', at: now });
          writeBack = 'pending';
          why.push('an older score was written meanwhile');
        }
        summary.scored++;
        if (writeBack === 'pending') summary.pending++;
        else summary.unchanged++;
        lines.push(auditLine(decided, row.id, writeBack, why));
      }
      if (clears.length > 0) {
        await tx.enqueueJob(
          {
            tenantId,
            type: CLEAR_JOB,
            payload: { people: clears },
            idempotencyKey: `${CLEAR_JOB}:${summary.runId}:${start / CHUNK + 1}`,
          },
          now,
        );
      }
      // One entry per chunk, in the same transaction as its scores: every decision is in the hash
      // chain, at 1/CHUNK of the appends a per-person entry would cost (docs/decisions.md).
      await appendAudit(
        tx,
        {
          tenantId,
          actor: deps.actor,
          action: 'score.decide',
          subject: `score-run:${summary.runId}:${start / CHUNK + 1}`,
          details: {
            runId: summary.runId,
            modelVersion,
            policyVersion,
            columns: ['personId', 'scoreId', 'score', 'tier', 'route', 'writeBack', 'why'],
            decisions: lines,
          },
        },
        now,
      );
    });
  }
  return summary;
}
