/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   The SDK's documented calling style passes plain object literals for its model classes; its
   serializer reads fields by name, so a literal with the same fields is what it sends. */
import { ConnectorError, type ScoreClear, type ScoreWrite, type WriteResult } from '../types.ts';
import type { Caller, Clock } from './client.ts';
import { mapBatchItemError, toConnectorError } from './errors.ts';
import { LEADGATE_PROPERTIES, toHubSpotProperties } from './schema.ts';

/** "Object API batch endpoints are limited to 100 inputs per request" (hubspot.md §3.4). */
export const BATCH_SIZE = 100;

/** One record's property values for a batch update. */
interface PropertyWrite {
  crmId: string;
  objectType: ScoreWrite['objectType'];
  properties: Record<string, string>;
}

/** Every leadgate property empty: HubSpot clears a property written as "" (consent withdrawn). */
const CLEARED: Readonly<Record<string, string>> = Object.fromEntries(
  LEADGATE_PROPERTIES.map((p) => [p.name, '']),
);

/** `undefined`-free chunks of at most `size`, never holding the same id twice (batch update rejects duplicates). */
function chunks(writes: readonly PropertyWrite[], size: number): PropertyWrite[][] {
  const out: PropertyWrite[][] = [];
  let current: PropertyWrite[] = [];
  let ids = new Set<string>();
  for (const w of writes) {
    if (current.length === size || ids.has(w.crmId)) {
      out.push(current);
      current = [];
      ids = new Set();
    }
    current.push(w);
    ids.add(w.crmId);
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function writeChunk(
  call: Caller,
  clock: Clock,
  chunk: readonly PropertyWrite[],
): Promise<WriteResult[]> {
  const contacts = chunk.filter((w) => w.objectType === 'contact');
  const failed = new Map<string, ConnectorError>();
  for (const w of chunk)
    if (w.objectType !== 'contact')
      failed.set(w.crmId, new ConnectorError('invalid_request', `HubSpot has no ${w.objectType} records`));
  const written = new Set<string>();
  if (contacts.length > 0) {
    try {
      const res = await call('standard', (c) =>
        c.crm.contacts.batchApi.update({
          inputs: contacts.map((w) => ({ id: w.crmId, properties: w.properties })),
        }),
      );
      for (const r of res.results) written.add(r.id);
      // A 207 resolves in the SDK; the failures are in `errors[]`, each naming its ids (§3.4).
      if ('errors' in res) {
        for (const item of res.errors ?? []) {
          const error = mapBatchItemError(item);
          for (const id of item.context.ids ?? []) failed.set(id, error);
        }
      }
    } catch (e) {
      const error = toConnectorError(e, clock.now());
      // A 400 for the whole batch is about our request, not the portal: report it per record
      // so the app dead-letters them and the other batches go on. Anything else stops the call.
      if (error.code !== 'invalid_request') throw error;
      for (const w of contacts) failed.set(w.crmId, error);
    }
  }
  return chunk.map((w): WriteResult => {
    const error = failed.get(w.crmId);
    if (error !== undefined) return { crmId: w.crmId, ok: false, error };
    if (written.has(w.crmId)) return { crmId: w.crmId, ok: true };
    return {
      crmId: w.crmId,
      ok: false,
      error: new ConnectorError('unknown', 'HubSpot answered the batch without a result for this record'),
    };
  });
}

async function writeProperties(
  call: Caller,
  clock: Clock,
  writes: readonly PropertyWrite[],
): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (const chunk of chunks(writes, BATCH_SIZE)) results.push(...(await writeChunk(call, clock, chunk)));
  return results;
}

/** Score write-back: contact batch updates of at most BATCH_SIZE, one result per write (design §7). */
export function writeScores(
  call: Caller,
  clock: Clock,
  writes: readonly ScoreWrite[],
): Promise<WriteResult[]> {
  return writeProperties(
    call,
    clock,
    writes.map((w) => ({
      crmId: w.crmId,
      objectType: w.objectType,
      properties: toHubSpotProperties(w.fields),
    })),
  );
}

/** Empties every leadgate property of these records, through the same batches as writeScores. */
export function clearScores(
  call: Caller,
  clock: Clock,
  clears: readonly ScoreClear[],
): Promise<WriteResult[]> {
  return writeProperties(
    call,
    clock,
    clears.map((c) => ({ crmId: c.crmId, objectType: c.objectType, properties: { ...CLEARED } })),
  );
}
