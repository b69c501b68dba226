import { ConnectorError, type ScoreClear, type ScoreWrite, type WriteResult } from '../types.ts';
import type { SalesforceClient } from './client.ts';
import { mapSaveError, type SaveError } from './errors.ts';
import { SCORE_FIELDS, toSalesforceValues } from './fields.ts';

/** sObject Collections take at most 200 records per call (salesforce.md §3). */
export const COLLECTION_BATCH = 200;

interface SaveResult {
  id?: string;
  success: boolean;
  errors: SaveError[];
}

const OBJECT_OF = { lead: 'Lead', contact: 'Contact' } as const;

/**
 * Score write-back with `PATCH /composite/sobjects`, 200 records a call, `allOrNone: false` so one
 * bad record does not roll back the other 199. The connection sends `Sforce-Call-Options:
 * client=<clientId>` on every call, which Change Data Capture reports in `changeOrigin`, so the app
 * can drop the change events its own writes cause.
 *
 * A whole-call failure before anything was written throws; once a batch has landed, a later
 * whole-call failure is reported on each write it left unwritten, so the caller always knows which
 * writes landed. Updates are idempotent (same values), so retrying a batch is safe.
 */
export async function writeScores(
  client: SalesforceClient,
  apiVersion: string,
  writes: readonly ScoreWrite[],
  onCall?: (records: number) => void,
): Promise<WriteResult[]> {
  return saveFields(
    client,
    apiVersion,
    writes.map((w) => ({ crmId: w.crmId, objectType: w.objectType, values: toSalesforceValues(w.fields) })),
    onCall,
  );
}

/** Every Leadgate_*__c field as null: the REST API empties a field sent as null (all are nillable). */
const CLEARED: Readonly<Record<string, null>> = Object.fromEntries(SCORE_FIELDS.map((f) => [f.name, null]));

/** Empties the Leadgate_*__c fields of these records (consent withdrawn), as writeScores writes them. */
export async function clearScores(
  client: SalesforceClient,
  apiVersion: string,
  clears: readonly ScoreClear[],
): Promise<WriteResult[]> {
  return saveFields(
    client,
    apiVersion,
    clears.map((c) => ({ crmId: c.crmId, objectType: c.objectType, values: CLEARED })),
  );
}

interface FieldSave {
  crmId: string;
  objectType: ScoreWrite['objectType'];
  values: Readonly<Record<string, string | number | null>>;
}

async function saveFields(
  client: SalesforceClient,
  apiVersion: string,
  writes: readonly FieldSave[],
  onCall?: (records: number) => void,
): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (let start = 0; start < writes.length; start += COLLECTION_BATCH) {
    const batch = writes.slice(start, start + COLLECTION_BATCH);
    const records = batch.map((w) => ({
      attributes: { type: OBJECT_OF[w.objectType] },
      id: w.crmId,
      ...w.values,
    }));
    let saved: SaveResult[];
    try {
      onCall?.(records.length);
      saved = (
        await client.send<SaveResult[]>('PATCH', `/services/data/v${apiVersion}/composite/sobjects`, {
          allOrNone: false,
          records,
        })
      ).body;
    } catch (error) {
      if (start === 0 || !(error instanceof ConnectorError)) throw error;
      for (const w of writes.slice(start)) results.push({ crmId: w.crmId, ok: false, error });
      return results;
    }
    if (!Array.isArray(saved) || saved.length !== batch.length) {
      throw new ConnectorError(
        'unknown',
        `sObject Collections answered ${String(saved.length)} results for ${batch.length} records`,
      );
    }
    // Results come back in request order (salesforce.md §3).
    batch.forEach((w, i) => {
      const r = saved[i];
      if (r?.success === true) {
        results.push({ crmId: w.crmId, ok: true });
        return;
      }
      const first = r?.errors[0] ?? { statusCode: 'UNKNOWN', message: 'no error detail in the SaveResult' };
      results.push({ crmId: w.crmId, ok: false, error: mapSaveError(first) });
    });
  }
  return results;
}
