import type { CanonicalOutcome, Page } from '../types.ts';
import type { Caller } from './client.ts';
import { nextPhaseCursor, page, phaseOf } from './cursor.ts';
import { dealOutcomes, LIFECYCLE_DATE_PROPERTIES, lifecycleOutcome } from './mapping.ts';
import { LIST_PAGE_SIZE } from './paging.ts';

/** Contacts' lifecycle dates first, then deals with their contacts (design §3 outcomes). */
const OUTCOME_PHASES: readonly string[] = ['lifecycle', 'deals'];

export async function listOutcomes(call: Caller, cursor?: string): Promise<Page<CanonicalOutcome>> {
  const { phase, after } = phaseOf(cursor, OUTCOME_PHASES);
  if (phase === 'lifecycle') {
    const res = await call('standard', (c) =>
      c.crm.contacts.basicApi.getPage(LIST_PAGE_SIZE, after, LIFECYCLE_DATE_PROPERTIES),
    );
    const items = res.results.flatMap((o) => {
      const outcome = lifecycleOutcome(o);
      return outcome === undefined ? [] : [outcome];
    });
    return page(items, nextPhaseCursor(OUTCOME_PHASES, phase, res.paging?.next?.after));
  }
  const res = await call('standard', (c) =>
    c.crm.deals.basicApi.getPage(LIST_PAGE_SIZE, after, ['createdate'], undefined, ['contacts']),
  );
  return page(
    res.results.flatMap(dealOutcomes),
    nextPhaseCursor(OUTCOME_PHASES, phase, res.paging?.next?.after),
  );
}
