import { Client } from '@hubspot/api-client';
import type { ConnectorError } from '../types.ts';
import { toConnectorError } from './errors.ts';
import type { PortalBudget, RequestKind } from './rate-budget.ts';
import { decideRetry, DEFAULT_RETRY_POLICY, type RetryDecision, type RetryPolicy } from './retry.ts';

export interface Clock {
  now(): number;
}

export type Sleep = (ms: number) => Promise<void>;

export interface RetryEvent {
  kind: RequestKind;
  attempt: number;
  error: ConnectorError;
  decision: RetryDecision;
}

export interface CallerOptions {
  accessToken: () => Promise<string>;
  budget: PortalBudget;
  clock: Clock;
  sleep: Sleep;
  rng: () => number;
  retryPolicy?: RetryPolicy;
  /** Sees every failed attempt and what `decideRetry` made of it (logging, tests). */
  onAttemptFailed?: (event: RetryEvent) => void;
}

/** Runs one HubSpot call: within the portal's budget, with a fresh token, retried through `decideRetry`. */
export type Caller = <T>(kind: RequestKind, call: (client: Client) => Promise<T>) => Promise<T>;

/**
 * The real SDK pointed at `basePath`, with its retries and Bottleneck limiter off: they are a
 * process-wide singleton in 13.x and apply to every client built afterwards (hubspot.md §8.3), and
 * the SDK's retry ignores Retry-After (§4.3). The token is fixed per Client: 13.5.0 ignores
 * middleware configured on the Client (its generated APIs run only call-time middleware), so a
 * new token means a new Client.
 */
function buildClient(basePath: string | undefined, accessToken: string): Client {
  const client = new Client({ accessToken, ...(basePath === undefined ? {} : { basePath }) });
  // The SDK decorates an API when it is first touched, with whatever decorators the most recently
  // built Client installed globally. Touch ours now, while the (empty) decorators are ours.
  const touched: readonly unknown[] = [
    client.crm.contacts.basicApi,
    client.crm.contacts.batchApi,
    client.crm.contacts.searchApi,
    client.crm.companies.basicApi,
    client.crm.deals.basicApi,
    client.crm.objects.basicApi,
    client.crm.properties.coreApi,
    client.crm.properties.groupsApi,
    client.crm.associations.v4.batchApi,
    client.events.eventsApi,
  ];
  if (touched.includes(undefined)) throw new Error('@hubspot/api-client lacks an API the connector uses');
  return client;
}

export function createCaller(basePath: string | undefined, options: CallerOptions): Caller {
  let current: { token: string; client: Client } | undefined;
  const clientFor = (token: string): Client => {
    if (current?.token !== token) current = { token, client: buildClient(basePath, token) };
    return current.client;
  };
  const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;

  async function acquire(kind: RequestKind): Promise<void> {
    for (;;) {
      const now = options.clock.now();
      if (options.budget.tryOpen(kind, now)) return;
      await options.sleep(options.budget.waitMs(kind, now));
    }
  }

  return async <T>(kind: RequestKind, call: (c: Client) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      // Asked before every attempt: a refreshed token is picked up on the retry.
      const client = clientFor(await options.accessToken());
      await acquire(kind);
      try {
        // The slot is held until a window after the answer, which is later than HubSpot counted it.
        return await call(client).finally(() => {
          options.budget.finish(kind, options.clock.now());
        });
      } catch (e) {
        const error = toConnectorError(e, options.clock.now());
        const decision = decideRetry(error, attempt, options.rng, policy);
        options.onAttemptFailed?.({ kind, attempt, error, decision });
        if (!decision.retry) throw error;
        await options.sleep(decision.waitMs);
      }
    }
  };
}
