import jsforce from 'jsforce';
import type {
  CanonicalCompany,
  CanonicalConsent,
  CanonicalEvent,
  CanonicalOutcome,
  CanonicalPerson,
  Connector,
  Page,
  ScoreClear,
  ScoreWrite,
  WriteResult,
} from '../types.ts';
import { ApiBudget } from './budget.ts';
import { SalesforceClient, type ClientDeps } from './client.ts';
import { listPeopleByIds } from './by-ids.ts';
import { listEventsChangedSince, listPeopleChangedSince } from './incremental.ts';
import { leadOutcomes, opportunityOutcomes } from './outcomes.ts';
import { Pager, type Source } from './paging.ts';
import type { RetryPolicy } from './retry.ts';
import { toCompany, toEvent, toPerson } from './records.ts';
import { ensureSchema } from './schema.ts';
import { clearScores, writeScores } from './write-scores.ts';

export interface SalesforceConnectorOptions {
  instanceUrl: string;
  /** The current access token; called again after an INVALID_SESSION_ID (the app refreshes it). */
  accessToken: () => Promise<string>;
  /** Always explicit: jsforce defaults to API 50.0 (salesforce.md §0). */
  version: '64.0';
  /** Sent as `Sforce-Call-Options: client=<clientId>`; CDC reports it in `changeOrigin` (salesforce.md §8.1). */
  clientId: string;
  /** The tenant's API budget; shared across connector instances of one tenant. Default: 20% per UTC day. */
  budget?: ApiBudget | { share?: number; maxCallsPerDay?: number };
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  rng?: () => number;
  retryPolicy?: RetryPolicy;
  /** Default 2,000: "more than 2,000 records is a good candidate for Bulk API 2.0" (salesforce.md §5). */
  bulkThreshold?: number;
  /** Bulk 2.0 results page size (`maxRecords`); default 10,000. */
  bulkPageSize?: number;
  bulkPollWaitsMs?: readonly number[];
  bulkMaxPolls?: number;
  /** Keyset page size of listPeopleChangedSince; SOQL returns at most 2,000 rows a page. */
  changedPageSize?: number;
  integrationUserId?: string;
  verifyWaitsMs?: readonly number[];
  onRetry?: ClientDeps['onRetry'];
}

export interface SalesforceConnector extends Connector {
  readonly crm: 'salesforce';
  readonly budget: ApiBudget;
  /** Exactly these Leads and Contacts (ids from change events), one `WHERE Id IN` query per 200. */
  listPeopleByIds(ids: readonly string[]): Promise<CanonicalPerson[]>;
}

export function createSalesforceConnector(options: SalesforceConnectorOptions): SalesforceConnector {
  const conn = new jsforce.Connection({
    instanceUrl: options.instanceUrl,
    version: options.version,
    callOptions: { client: options.clientId },
  });
  const budget =
    options.budget instanceof ApiBudget
      ? options.budget
      : new ApiBudget({ ...options.budget, clock: options.clock });
  const client = new SalesforceClient({
    conn,
    accessToken: options.accessToken,
    budget,
    sleep: options.sleep,
    rng: options.rng ?? Math.random,
    ...(options.retryPolicy === undefined ? {} : { retryPolicy: options.retryPolicy }),
    ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
  });
  const pager = new Pager(client, {
    apiVersion: options.version,
    bulkThreshold: options.bulkThreshold ?? 2000,
    bulkPageSize: options.bulkPageSize ?? 10_000,
    bulkPollWaitsMs: options.bulkPollWaitsMs ?? [1000, 2000, 5000, 10_000],
    bulkMaxPolls: options.bulkMaxPolls ?? 120,
    sleep: options.sleep,
  });

  const people: Source<CanonicalPerson>[] = [
    { object: 'Lead', toItems: (rs) => rs.map((r) => toPerson('Lead', r)) },
    { object: 'Contact', toItems: (rs) => rs.map((r) => toPerson('Contact', r)) },
  ];
  const companies: Source<CanonicalCompany>[] = [{ object: 'Account', toItems: (rs) => rs.map(toCompany) }];
  const activity = (object: 'Task' | 'Event'): Source<CanonicalEvent> => ({
    object,
    where: 'WhoId != null',
    toItems: (rs) => rs.flatMap((r) => toEvent(object, r) ?? []),
  });
  const outcomes: Source<CanonicalOutcome>[] = [
    { object: 'Lead', where: 'IsConverted = true', toItems: leadOutcomes },
    { object: 'Opportunity', where: 'AccountId != null', toItems: (rs) => opportunityOutcomes(pager, rs) },
  ];
  // Every people read (backfill, SystemModstamp sweep, change-event fetch) carries the person's
  // consent (records.ts consentOf): a second pass over Leads and Contacts for consent alone would
  // cost as many calls as the people stream (51 of 127 SOQL calls for 100,000 Leads) and tell nothing
  // the people pages do not.
  const noConsentStream = (): Promise<Page<CanonicalConsent>> => Promise.resolve({ items: [] });

  return {
    crm: 'salesforce',
    budget,
    ensureSchema: () =>
      ensureSchema({
        client,
        pager,
        apiVersion: options.version,
        sleep: options.sleep,
        verifyWaitsMs: options.verifyWaitsMs ?? [2000, 5000, 10_000],
        ...(options.integrationUserId === undefined ? {} : { integrationUserId: options.integrationUserId }),
      }),
    listPeople: (cursor) => pager.backfill(people, cursor),
    listCompanies: (cursor) => pager.backfill(companies, cursor),
    listEvents: (cursor) => pager.backfill([activity('Task'), activity('Event')], cursor),
    listOutcomes: (cursor) => pager.backfill(outcomes, cursor),
    listConsent: noConsentStream,
    listPeopleChangedSince: (since, cursor) =>
      listPeopleChangedSince(pager, options.changedPageSize ?? 2000, since, cursor),
    listEventsChangedSince: (since, cursor) =>
      listEventsChangedSince(pager, options.changedPageSize ?? 2000, since, cursor),
    listPeopleByIds: (ids) => listPeopleByIds(pager, ids),
    writeScores: (writes: readonly ScoreWrite[]): Promise<WriteResult[]> =>
      writeScores(client, options.version, writes),
    clearScores: (clears: readonly ScoreClear[]): Promise<WriteResult[]> =>
      clearScores(client, options.version, clears),
  };
}
