import { MAX_HISTORY, buildCardContract } from '../../cards/contract/index.ts';
import type { CardContract } from '../../cards/contract/index.ts';
import type { ConsentRecord, EpochMs, ScoreRecord, Store } from '../kit/store/index.ts';

/** What the card routes read: the tenant by portal id, the person's record, consent and scores. */
export type CardStore = Pick<
  Store,
  'findTenantByExternalId' | 'getRecordAsOf' | 'getConsentAsOf' | 'listScores' | 'listTenants'
>;

/**
 * A person who has withdrawn consent is not shown the scores made before it: the pipeline stops
 * profiling them and empties leadgate's fields in the CRM (app/pipeline/clear.ts), so the card must not
 * keep showing them either. Scores made since (fallback rules under a `withoutConsent: 'rules'`
 * policy) still show.
 */
function shownScores(consent: ConsentRecord | undefined, rows: readonly ScoreRecord[]): ScoreRecord[] {
  if (consent === undefined || (!consent.optedOut && consent.lawfulBasis !== 'none')) return [...rows];
  return rows.filter((r) => r.scoredAt >= consent.recordedAt);
}

/** The canonical object type of a HubSpot contact in the feature store (connectors' CanonicalPerson). */
const CONTACT = 'contact';

/**
 * The card of one HubSpot contact, or undefined when the portal is not an active tenant or the
 * contact is not known in that tenant. The two cases are deliberately one answer, so a caller cannot
 * learn whether a portal is a customer by probing contact ids.
 */
export async function hubspotContactCard(
  store: CardStore,
  portalId: string,
  objectId: string,
  now: EpochMs,
): Promise<CardContract | undefined> {
  const tenant = await store.findTenantByExternalId('hubspot', portalId);
  if (tenant === undefined || tenant.status !== 'active') return undefined;
  const rows = shownScores(
    await store.getConsentAsOf(tenant.id, objectId, now),
    await store.listScores(tenant.id, objectId, MAX_HISTORY),
  );
  if (rows.length === 0) {
    // Scores are only ever stored for a person of this tenant; without one, the record must exist.
    const record = await store.getRecordAsOf(tenant.id, CONTACT, objectId, now);
    if (record === undefined) return undefined;
  }
  return buildCardContract(objectId, rows);
}

/**
 * The card of one Salesforce Lead or Contact (the sandbox record page; the Lightning card reads the
 * written fields instead). Undefined, like the HubSpot card, for an org that is not an active tenant
 * and for a person the tenant does not know.
 */
export async function salesforcePersonCard(
  store: CardStore,
  orgId: string,
  objectType: 'lead' | 'contact',
  objectId: string,
  now: EpochMs,
): Promise<CardContract | undefined> {
  const tenant = await store.findTenantByExternalId('salesforce', orgId);
  if (tenant === undefined || tenant.status !== 'active') return undefined;
  const rows = shownScores(
    await store.getConsentAsOf(tenant.id, objectId, now),
    await store.listScores(tenant.id, objectId, MAX_HISTORY),
  ).filter((r) => r.objectType === objectType);
  if (rows.length === 0) {
    const record = await store.getRecordAsOf(tenant.id, objectType, objectId, now);
    if (record === undefined) return undefined;
  }
  return buildCardContract(objectId, rows);
}
