import { ConnectorError, type Connector, type EpochMs, type ScoreClear } from '../../connectors/index.ts';
import { appendAudit } from '../kit/audit/index.ts';
import type { JsonValue, Store } from '../kit/store/index.ts';
import { profilingAllowedAt } from './as-of.ts';
import { decideWriteRetry } from './write-back.ts';

/**
 * A person who withdrew consent keeps no leadgate score in the CRM (docs/decisions.md, "Withdrawn
 * consent clears leadgate's fields"). The score step queues a `clear-scores` job naming the persons
 * whose score had been written; the job empties their leadgate fields through the connector, marks
 * those stored scores as no longer in the CRM ('skipped', with why) and audits each clear.
 */

export const CLEAR_JOB = 'clear-scores';

/** Why the fields are cleared, in the audit and in the cleared scores' write-back error text. */
export const CLEAR_REASON = 'no lawful basis for profiling';

export interface ClearItem {
  personId: string;
  objectType: ScoreClear['objectType'];
  [key: string]: JsonValue;
}

/** How many of a person's recent scores are looked at (as the score step's HISTORY_LIMIT). */
const HISTORY_LIMIT = 100;

export interface ClearSummary {
  cleared: number;
  /** Consent came back before the job ran: nothing cleared, the person is rescored instead. */
  skipped: number;
  /** The CRM refused the clear for good (deleted record, validation rule): audited, left as written. */
  failed: number;
}

export interface ClearDeps {
  store: Store;
  tenantId: string;
  connector: Pick<Connector, 'clearScores'>;
  clock: () => EpochMs;
  actor: string;
  /** Names the audit entry (the job's id). */
  runId: string;
  /** Persons whose consent came back before the clear ran: rescore them (written in the same transaction). */
  rescore: (tx: Store, personIds: readonly string[]) => Promise<void>;
}

/**
 * Clears the leadgate fields of these persons. Consent is read again first: a person who opted back
 * in meanwhile is not cleared. A whole-call failure, or an item the CRM may accept later, throws
 * after the cleared ones are recorded, so the queue retries the job (clearing twice is harmless).
 */
export async function clearWithdrawn(deps: ClearDeps, items: readonly ClearItem[]): Promise<ClearSummary> {
  const { store, tenantId } = deps;
  const summary: ClearSummary = { cleared: 0, skipped: 0, failed: 0 };
  const todo: ClearItem[] = [];
  const back: string[] = [];
  for (const item of items) {
    const history = await store.listScores(tenantId, item.personId, HISTORY_LIMIT);
    // Cleared already (an earlier job of a second rescore): nothing of ours is in the CRM.
    if (!history.some((s) => s.writeBack === 'written')) continue;
    if (await profilingAllowedAt(store, tenantId, item.personId, deps.clock())) back.push(item.personId);
    else todo.push(item);
  }
  summary.skipped = back.length;
  const results =
    todo.length === 0
      ? []
      : await deps.connector.clearScores(todo.map((i) => ({ crmId: i.personId, objectType: i.objectType })));
  if (results.length !== todo.length) {
    throw new ConnectorError(
      'unknown',
      `connector answered ${results.length} results for ${todo.length} clears`,
    );
  }
  let retry: ConnectorError | undefined;
  const lines: JsonValue[] = [];
  const now = deps.clock();
  await store.transaction(async (tx) => {
    for (const [i, r] of results.entries()) {
      const item = todo[i] as ClearItem;
      if (r.ok) {
        const history = await tx.listScores(tenantId, item.personId, HISTORY_LIMIT);
        const written = history.filter((s) => s.writeBack === 'written');
        for (const s of written) {
          // From 'written' only, as every write-back state move (issue 14 item 7).
          await tx.transitionWriteBack(tenantId, s.id, {
            from: ['written'],
            to: 'skipped',
            at: now,
            error: `cleared from the CRM: ${CLEAR_REASON}`,
          });
        }
        summary.cleared++;
        lines.push([item.personId, 'cleared', written.map((s) => s.id).join(',')]);
        continue;
      }
      const decision = decideWriteRetry(r.error.code);
      if (decision === 'dead') {
        summary.failed++;
        lines.push([item.personId, 'failed', `${r.error.code}: ${r.error.message}`]);
      } else retry ??= r.error;
    }
    for (const personId of back) lines.push([personId, 'consent back', 'rescored instead']);
    if (back.length > 0) await deps.rescore(tx, back);
    if (lines.length > 0) {
      await appendAudit(
        tx,
        {
          tenantId,
          actor: deps.actor,
          action: 'score.clear',
          subject: `score-clear:${deps.runId}`,
          details: { reason: CLEAR_REASON, columns: ['personId', 'outcome', 'detail'], clears: lines },
        },
        now,
      );
    }
  });
  if (retry !== undefined) throw retry;
  return summary;
}
