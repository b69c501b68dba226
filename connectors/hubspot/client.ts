import { AsyncLocalStorage } from 'node:async_hooks';
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

interface HeaderSettable {
  setHeaderParam(key: string, value: string): void;
}

function isHeaderSettable(ctx: unknown): ctx is HeaderSettable {
  return (
    typeof ctx === 'object' &&
    ctx !== null &&
    typeof (ctx as { setHeaderParam?: unknown }).setHeaderParam === 'function'
  );
}

/**
 * The real SDK pointed at `basePath`, with its retries and Bottleneck limiter off: they are a
 * process-wide singleton in 13.x and apply to every client built afterwards (hubspot.md §8.3), and
 * the SDK's retry ignores Retry-After (§4.3). The token comes per request from the app (it owns
 * refresh), carried to the request by an async-local slot and set by middleware.
 */
function buildClient(basePath: string | undefined, token: AsyncLocalStorage<string>): Client {
  const client = new Client({
    ...(basePath === undefined ? {} : { basePath }),
    middleware: [
      {
        pre: (ctx: unknown): unknown => {
          const current = token.getStore();
          if (current === undefined) throw new Error('HubSpot call outside a token scope');
          if (!isHeaderSettable(ctx)) throw new Error('unexpected SDK request context');
          ctx.setHeaderParam('Authorization', `Bearer ${current}`);
          return ctx;
        },
        post: (ctx: unknown): unknown => ctx,
      },
    ],
  });
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
  const token = new AsyncLocalStorage<string>();
  const client = buildClient(basePath, token);
  const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;

  async function acquire(kind: RequestKind): Promise<void> {
    for (;;) {
      const now = options.clock.now();
      if (options.budget.tryTake(kind, now)) return;
      await options.sleep(options.budget.waitMs(kind, now));
    }
  }

  return async <T>(kind: RequestKind, call: (c: Client) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      await acquire(kind);
      // Asked before every attempt: a refreshed token is picked up on the retry.
      const current = await options.accessToken();
      try {
        return await token.run(current, () => call(client));
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
