/**
 * Test-only: what the end-to-end scenarios ask of a CRM, so one scenario body runs over the HubSpot
 * and the Salesforce emulator (scenarios-e2e.int.test.ts). Each driver starts its emulator with a
 * seeded portal or org, the tenant, the real connector, the job handlers on a real queue
 * (pipeline-worker.ts), and speaks the CRM's own verbs behind these canonical ones. What only one CRM
 * has (HubSpot's generated truth, Salesforce's converted Leads and daily allocation) stays on the
 * driver's own type and in that CRM's own e2e file.
 */
import { afterEach, beforeEach } from 'vitest';
import type { CrmKind } from '../../../connectors/index.ts';
import type { JobRecord, JsonValue, Store, Tenant } from '../../kit/store/index.ts';

/** A person's leadgate fields as the CRM holds them; null where the CRM holds nothing. */
export interface HeldFields {
  score: number | null;
  tier: string | null;
  route: string | null;
  reasons: string | null;
  /** The CRM's scored-at datetime as epoch ms. */
  scoredAt: number | null;
}

/** A change someone makes to a person in the CRM. */
export interface PersonChange {
  title?: string;
  /** true: unsubscribed from email (no lawful basis for profiling left); false: resubscribed. */
  optedOut?: boolean;
}

/** Faults switched on for a run, and what they should leave behind. */
export interface InjectedFaults {
  /** People a rule refuses for good: their scores must end dead-lettered, never lost. */
  rejected: readonly string[];
  /** What the dead letters of the refused say. */
  rejectedBecause: RegExp;
  /** How often each injected rule has fired (every one must, or the run proved nothing). */
  fired(): number[];
}

export interface CrmDriver {
  readonly crm: CrmKind;
  readonly store: Store;
  readonly tenant: Tenant;
  /** Pipeline time (epoch ms). */
  now(): number;
  enqueue(type: string, payload?: JsonValue): Promise<void>;
  /** Runs jobs until none is runnable, moving time past retry delays while jobs wait. */
  drain(): Promise<void>;

  /** Every person the CRM holds (HubSpot contacts; Salesforce Leads, converted ones too, and Contacts). */
  people(): string[];
  /** The people leadgate may score, read from the CRM's records: open, opted in, with a lawful basis. */
  scorablePeople(): string[];
  /** Read straight from the emulator's records. */
  heldFields(personId: string): HeldFields;
  /** Read through the CRM's API, as a workflow or report in the CRM would. */
  readFields(personId: string): Promise<HeldFields>;

  /** Record ids write-back asked the connector to write, call after call (clear them at will). */
  readonly writeAttempts: string[];
  /** Record ids the pipeline asked the connector to clear (consent withdrawn). */
  readonly clearAttempts: string[];
  /** connector.writeScores calls so far. */
  writeCalls(): number;
  /** HTTP requests to the CRM's batch write endpoint so far (writes and clears share it). */
  writeRequests(): number;
  /** HTTP requests that read people so far (HubSpot list, search and batch read; Salesforce SOQL queries). */
  peopleReads(): number;
  /** People reads of the job one changed person's notification queues. */
  readonly readsPerChange: number;

  /** Starts what tells us of changes: HubSpot's webhooks to the app's route, Salesforce's change events. */
  listenForChanges(): Promise<void>;
  /** A minute on, someone changes a person in the CRM; returns the CRM time of the change. */
  changePerson(personId: string, change: PersonChange): Promise<number>;
  /** Waits until the CRM's notifications of the changes so far have reached us and queued their jobs. */
  deliverChanges(): Promise<void>;
  /** The jobs change notifications queued, in order. */
  readonly changeJobs: JobRecord[];

  /** Switches on the CRM's transient faults (5xx, dropped sockets, 429s) and its refusals, if any. */
  injectFaults(): InjectedFaults;

  stop(): Promise<void>;
}

/**
 * Starts a driver before each test of the enclosing describe and stops it after; the getter gives the
 * running one. `timeoutMs` covers seeding (thousands of contacts take a while on a loaded machine).
 */
export function useDriver<D extends CrmDriver>(start: () => Promise<D>, timeoutMs = 60_000): () => D {
  let driver: D | undefined;
  beforeEach(async () => {
    driver = await start();
  }, timeoutMs);
  afterEach(async () => {
    await driver?.stop();
    driver = undefined;
  });
  return () => {
    if (driver === undefined) throw new Error('no driver: useDriver() starts one in beforeEach');
    return driver;
  };
}

/** The record ids a change-notification job names. */
export const recordIdsOf = (job: JobRecord): string[] | undefined =>
  (job.payload as { recordIds?: string[] }).recordIds;

/** A counter from now on: what `count` has added since this call. */
export function since(count: () => number): () => number {
  const base = count();
  return () => count() - base;
}
