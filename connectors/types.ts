/**
 * The one interface every CRM connector implements (design §2–§3). Connectors translate a CRM's
 * API into canonical records and back; they never decide a score and never swallow an error:
 * per-record failures come back as data, whole-call failures as a ConnectorError with a code
 * from the closed set below.
 */

export type CrmKind = 'hubspot' | 'salesforce';

/** Epoch milliseconds. */
export type EpochMs = number;

/**
 * A person's consent as the same read of the record states it (design §3 Consent): the rules of
 * CanonicalConsent, without a time of its own (it is known as of the person's `updatedAt`).
 */
export interface PersonConsent {
  /** False when there is no lawful basis for profiling (opted out, no consent where required). */
  profilingAllowed: boolean;
  /** The CRM's wording of the lawful basis; null when the CRM states none. */
  basis: string | null;
}

/** A HubSpot contact or a Salesforce Lead/Contact. Property values are the CRM's strings. */
export interface CanonicalPerson {
  crmId: string;
  objectType: 'contact' | 'lead';
  createdAt: EpochMs;
  updatedAt: EpochMs;
  properties: Record<string, string | null>;
  companyId?: string;
  /**
   * Consent read with the person, so every people read (backfill, incremental sweep, targeted fetch)
   * carries it point-in-time. Absent when the read did not include the consent fields.
   */
  consent?: PersonConsent;
  /**
   * Conversions the same record states (HubSpot lifecycle stage dates, a converted Salesforce Lead),
   * so every people read records outcomes that happen after install too. Absent when the read did not
   * include the fields; an empty array states none.
   */
  outcomes?: CanonicalOutcome[];
}

/** A HubSpot company or a Salesforce Account. */
export interface CanonicalCompany {
  crmId: string;
  createdAt: EpochMs;
  updatedAt: EpochMs;
  properties: Record<string, string | null>;
}

export type EngagementType =
  | 'page_view'
  | 'form_submission'
  | 'email_open'
  | 'email_click'
  | 'email_reply'
  | 'meeting'
  | 'call'
  | 'content_download';

export interface CanonicalEvent {
  personId: string;
  type: EngagementType;
  occurredAt: EpochMs;
  attributes: Record<string, string | number | boolean | null>;
  /** Stable id from the CRM, so ingesting the same event twice is a no-op. */
  sourceId: string;
}

/** The conversion the model predicts (e.g. lifecycle stage reached SQL, lead converted, deal created). */
export interface CanonicalOutcome {
  personId: string;
  type: string;
  occurredAt: EpochMs;
}

export interface CanonicalConsent {
  personId: string;
  /** False when there is no lawful basis for profiling (opted out, no consent where required). */
  profilingAllowed: boolean;
  basis: string | null;
  recordedAt: EpochMs;
}

/** A page of records and the opaque cursor of the next page (absent on the last page). */
export interface Page<T> {
  items: T[];
  next?: string;
}

/**
 * A page of an incremental read, with `watermark`: the newest change time (CRM clock) among the records
 * the page read, whether or not they became items, so the next sweep starts there.
 */
export interface ChangedPage<T> extends Page<T> {
  watermark?: EpochMs;
}

/** The write-back contract of design §7, in canonical names; each connector maps them to its fields. */
export interface ScoreFields {
  score: number;
  tier: 'A' | 'B' | 'C' | 'D';
  fitScore: number | null;
  engagementScore: number | null;
  route: 'ae' | 'sdr' | 'nurture' | 'review';
  confidence: 'high' | 'medium' | 'low';
  reasons: string;
  modelVersion: string;
  scoredAt: EpochMs;
}

export interface ScoreWrite {
  crmId: string;
  objectType: CanonicalPerson['objectType'];
  fields: ScoreFields;
}

/** A person whose leadgate fields are to be emptied (consent withdrawn). */
export interface ScoreClear {
  crmId: string;
  objectType: CanonicalPerson['objectType'];
}

export type WriteResult = { crmId: string; ok: true } | { crmId: string; ok: false; error: ConnectorError };

/** The closed set of connector error codes; every vendor error maps to exactly one. */
export const CONNECTOR_ERROR_CODES = [
  'unauthorized', // token expired, revoked or wrong: refresh or re-install
  'forbidden', // missing scope or field permission
  'not_found', // the record or route does not exist (deleted records too)
  'invalid_request', // our request is wrong: never retry as is
  'conflict', // duplicate (property exists, field exists)
  'rate_limited', // short-term limit: retry after retryAfterMs
  'quota_exhausted', // daily allocation spent: stop until it resets
  'locked', // the record or portal is locked for now (HubSpot 423)
  'unavailable', // 5xx, dropped connection, timeout: retry with backoff
  'unknown',
] as const;

export type ConnectorErrorCode = (typeof CONNECTOR_ERROR_CODES)[number];

export class ConnectorError extends Error {
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    readonly details: {
      status?: number;
      /** The CRM's own error code (HubSpot category, Salesforce errorCode). */
      vendorCode?: string;
      retryAfterMs?: number;
    } = {},
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}

export interface Connector {
  readonly crm: CrmKind;
  /** Creates the leadgate properties / custom fields and their access, idempotently. */
  ensureSchema(): Promise<void>;
  /** Backfill: every person, page by page; the cursor is saved after every page. */
  listPeople(cursor?: string): Promise<Page<CanonicalPerson>>;
  listCompanies(cursor?: string): Promise<Page<CanonicalCompany>>;
  listEvents(cursor?: string): Promise<Page<CanonicalEvent>>;
  listOutcomes(cursor?: string): Promise<Page<CanonicalOutcome>>;
  /**
   * Consent as a stream of its own. A connector whose people pages carry `consent` answers one empty
   * page without calling the CRM.
   */
  listConsent(cursor?: string): Promise<Page<CanonicalConsent>>;
  /** Incremental sync: people modified at or after `since`, oldest first. */
  listPeopleChangedSince(since: EpochMs, cursor?: string): Promise<Page<CanonicalPerson>>;
  /**
   * Incremental sync: engagement events that happened, or whose CRM record was created or changed, at or
   * after `since` (HubSpot analytics events by occurredAt, engagements and Salesforce activity by their
   * last modification). Re-reading an event is harmless: ingesting it again is a no-op by sourceId.
   */
  listEventsChangedSince(since: EpochMs, cursor?: string): Promise<ChangedPage<CanonicalEvent>>;
  /** Writes score fields in the largest batches the API takes; one result per write, in order. */
  writeScores(writes: readonly ScoreWrite[]): Promise<WriteResult[]>;
  /** Empties every leadgate field on these records, in the same batches; one result per clear, in order. */
  clearScores(clears: readonly ScoreClear[]): Promise<WriteResult[]>;
}
