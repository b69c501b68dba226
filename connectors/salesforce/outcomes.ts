import type { CanonicalOutcome } from '../types.ts';
import type { Pager } from './paging.ts';
import {
  leadConversion,
  normalizeRecord,
  OUTCOME_LEAD_CONVERTED,
  parseSalesforceTime,
  type SalesforceRecord,
} from './records.ts';

export { OUTCOME_LEAD_CONVERTED };
export const OUTCOME_OPPORTUNITY_CREATED = 'opportunity_created';

/** A converted Lead (`IsConverted`, `ConvertedDate`) is the Lead's outcome: the rule its people reads use too. */
export function leadOutcomes(records: SalesforceRecord[]): CanonicalOutcome[] {
  return records.flatMap((r) => leadConversion(normalizeRecord('Lead', r)));
}

// Ids in an IN list: ~21 characters each; 100 keep the query URL far below Salesforce's 16 KB URI limit.
const IN_CHUNK = 100;

/**
 * An Opportunity created for an Account is an outcome of every Contact of that Account (and of the
 * Opportunity's own ContactId), at the Opportunity's CreatedDate. The Contacts of a page's Accounts
 * are read with one `AccountId IN (…)` query per 100 Accounts, not one call per Opportunity.
 */
export async function opportunityOutcomes(
  pager: Pager,
  records: SalesforceRecord[],
): Promise<CanonicalOutcome[]> {
  const opps = records.map((r) => normalizeRecord('Opportunity', r));
  const accountIds = [...new Set(opps.flatMap((o) => (o['AccountId'] == null ? [] : [o['AccountId']])))];
  const contactsOf = new Map<string, string[]>();
  for (let i = 0; i < accountIds.length; i += IN_CHUNK) {
    const ids = accountIds.slice(i, i + IN_CHUNK).map((id) => `'${id.replace(/[^0-9A-Za-z]/g, '')}'`);
    for (const c of await pager.queryAll(
      `SELECT Id, AccountId FROM Contact WHERE AccountId IN (${ids.join(', ')})`,
    )) {
      const account = String(c['AccountId']);
      contactsOf.set(account, [...(contactsOf.get(account) ?? []), String(c['Id'])]);
    }
  }
  return opps.flatMap((o) => {
    if (o['CreatedDate'] == null) return [];
    const occurredAt = parseSalesforceTime(o['CreatedDate']);
    const people = new Set([
      ...(o['ContactId'] == null ? [] : [o['ContactId']]),
      ...(contactsOf.get(o['AccountId'] ?? '') ?? []),
    ]);
    return [...people].map((personId) => ({ personId, type: OUTCOME_OPPORTUNITY_CREATED, occurredAt }));
  });
}
