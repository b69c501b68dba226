import type { EpochMs } from '../../connectors/index.ts';
import type { LeadInput } from '../../scoring/index.ts';
import type { PersonSnapshot, Store } from '../kit/store/index.ts';
import { toLeadInput, type CrmFieldMap, type StoredCompany, type StoredPerson } from './feature-spec.ts';
import { COMPANY_OBJECT_TYPE, PERSON_OBJECT_TYPES, readCompany, readPerson } from './records.ts';
import { eventLoopTurns } from './yield.ts';

/**
 * Point-in-time reads: everything about a person as the store knew it at `t`, and never later
 * (design §4). The company link, the company version, the events and the consent are each read as
 * of the same `t`.
 */

export type AsOfStore = Pick<
  Store,
  'getRecordAsOf' | 'getEventsAsOf' | 'getConsentAsOf' | 'trainingSnapshot'
>;

export interface PersonAsOf {
  person: StoredPerson;
  objectType: string;
  lead: LeadInput;
  /** False when the consent known at t gives no lawful basis for profiling; true when none is recorded. */
  profilingAllowed: boolean;
}

/** Caches company versions within one pass (many persons share a company). */
export class CompanyReader {
  private readonly cache = new Map<string, StoredCompany | null>();
  constructor(
    private readonly store: AsOfStore,
    private readonly tenantId: string,
  ) {}

  async at(companyId: string | null, t: EpochMs): Promise<StoredCompany | null> {
    if (companyId === null) return null;
    const key = `${companyId}@${t}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const version = await this.store.getRecordAsOf(this.tenantId, COMPANY_OBJECT_TYPE, companyId, t);
    const company = version === undefined ? null : readCompany(version);
    this.cache.set(key, company);
    return company;
  }
}

export async function profilingAllowedAt(store: AsOfStore, tenantId: string, personId: string, t: EpochMs) {
  const consent = await store.getConsentAsOf(tenantId, personId, t);
  // No consent record: the CRM holds no objection; policy (withoutConsent) governs explicit refusals.
  return consent === undefined || (!consent.optedOut && consent.lawfulBasis !== 'none');
}

/** One person as of t, or undefined when the store did not know the person at t. */
export async function personAsOf(
  store: AsOfStore,
  tenantId: string,
  objectType: string,
  crmId: string,
  t: EpochMs,
  fields: CrmFieldMap,
  companies: CompanyReader,
): Promise<PersonAsOf | undefined> {
  const version = await store.getRecordAsOf(tenantId, objectType, crmId, t);
  if (version === undefined) return undefined;
  const person = readPerson(version);
  const company = await companies.at(person.companyId, t);
  const events = await store.getEventsAsOf(tenantId, crmId, t);
  return {
    person,
    objectType,
    lead: toLeadInput(person, company, events, t, fields),
    profilingAllowed: await profilingAllowedAt(store, tenantId, crmId, t),
  };
}

/** Every person known at t (contacts and leads), with events known at t, in crm id order. */
export async function everyoneAsOf(
  store: AsOfStore,
  tenantId: string,
  t: EpochMs,
  fields: CrmFieldMap,
  only?: ReadonlySet<string>,
): Promise<PersonAsOf[]> {
  const companies = new CompanyReader(store, tenantId);
  const turn = eventLoopTurns();
  const out: PersonAsOf[] = [];
  for (const objectType of PERSON_OBJECT_TYPES) {
    const snapshot: PersonSnapshot[] = await store.trainingSnapshot(tenantId, objectType, t);
    for (const row of snapshot) {
      if (only !== undefined && !only.has(row.crmId)) continue;
      await turn();
      const person = readPerson(row);
      const company = await companies.at(person.companyId, t);
      out.push({
        person,
        objectType,
        lead: toLeadInput(person, company, row.events, t, fields),
        profilingAllowed: await profilingAllowedAt(store, tenantId, row.crmId, t),
      });
    }
  }
  return out;
}
