/**
 * Child process of bench/salesforce.ts: seeds N Leads into an emulator org (straight into its state),
 * then reads them one way and prints one JSON line with time, API calls and memory. Its own process
 * so the peak RSS is this run's. Usage: salesforce-backfill.ts <soql|bulk> <raw|fetch|pipeline> <N>
 *
 * - raw: the Lead query alone through bare jsforce (`conn.query` + `queryMore`), no connector: the floor.
 * - fetch: every page of the five streams the backfill job reads, through our connector only.
 * - pipeline: the pipeline's backfill job on a real queue and worker: the same reads plus ingest into SQLite.
 *
 * The emulator and the connector share a manual clock: Bulk 2.0 poll waits take no real time.
 */
import jsforce from 'jsforce';
import { createJobQueue, Worker } from '../app/kit/jobs/index.ts';
import { createPipelineHandlers } from '../app/pipeline/index.ts';
import type { Connector, Page } from '../connectors/index.ts';
import { fieldList } from '../connectors/salesforce/records.ts';
import {
  benchConnector,
  closeSfStore,
  openSfStore,
  seedLeads,
  startBenchOrg,
  type SfBenchStore,
} from './salesforce-common.ts';

const mode = process.argv[2] as 'soql' | 'bulk';
const scope = process.argv[3] as 'raw' | 'fetch' | 'pipeline';
const n = Number(process.argv[4] ?? '100000');
if (!['soql', 'bulk'].includes(mode) || !['raw', 'fetch', 'pipeline'].includes(scope) || !(n > 0)) {
  process.stderr.write('usage: salesforce-backfill.ts <soql|bulk> <raw|fetch|pipeline> <N>\n');
  process.exit(2);
}

const seedStarted = performance.now();
const b = await startBenchOrg();
// 1 Lead in 50 converted: outcomes, Accounts, Contacts and Opportunities exist, as in a real org.
seedLeads(b.org, n, 50);
const seedSeconds = (performance.now() - seedStarted) / 1000;
const connector = benchConnector(b, { bulkThreshold: mode === 'bulk' ? 2_000 : Number.POSITIVE_INFINITY });

let bench: SfBenchStore | undefined;
let fetchSeconds = 0;
async function timedFetch<T>(call: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await call();
  } finally {
    fetchSeconds += (performance.now() - t) / 1000;
  }
}
let run: () => Promise<Record<string, unknown>>;

if (scope === 'raw') {
  const conn = new jsforce.Connection({
    instanceUrl: b.emulator.url,
    accessToken: b.org.issueToken().accessToken,
    version: '64.0',
  });
  run = async () => {
    let res = await conn.query(`SELECT ${fieldList('Lead')} FROM Lead`, { autoFetch: false });
    let records = res.records.length;
    while (!res.done && res.nextRecordsUrl !== undefined) {
      res = await conn.queryMore(res.nextRecordsUrl);
      records += res.records.length;
    }
    return { records };
  };
} else if (scope === 'fetch') {
  const drain = async (list: (cursor?: string) => Promise<Page<unknown>>): Promise<object> => {
    const t = performance.now();
    const used = b.org.apiUsage().used;
    let items = 0;
    let pages = 0;
    let cursor: string | undefined;
    do {
      const page = await list(cursor);
      items += page.items.length;
      pages += 1;
      cursor = page.next;
    } while (cursor !== undefined);
    return { items, pages, calls: b.org.apiUsage().used - used, seconds: (performance.now() - t) / 1000 };
  };
  const c: Connector = connector;
  run = async () => ({
    // In the order the backfill job reads them (app/pipeline/jobs/checkpoints.ts STREAMS).
    companies: await drain((x) => c.listCompanies(x)),
    people: await drain((x) => c.listPeople(x)),
    events: await drain((x) => c.listEvents(x)),
    outcomes: await drain((x) => c.listOutcomes(x)),
    consent: await drain((x) => c.listConsent(x)),
  });
} else {
  const store = await openSfStore(b.org.id, b.clock.now);
  bench = store;
  const clock = (): number => b.clock.now;
  const sleep = (ms: number): Promise<void> => {
    b.clock.now += ms;
    return Promise.resolve();
  };
  // The same connector, with the time spent waiting on its list calls summed: what the job spends
  // fetching (jsforce, the emulator, mapping) versus ingesting, measured in the same run.
  const timed: Connector = {
    ...connector,
    listCompanies: (c) => timedFetch(() => connector.listCompanies(c)),
    listPeople: (c) => timedFetch(() => connector.listPeople(c)),
    listEvents: (c) => timedFetch(() => connector.listEvents(c)),
    listOutcomes: (c) => timedFetch(() => connector.listOutcomes(c)),
    listConsent: (c) => timedFetch(() => connector.listConsent(c)),
  };
  const handlers = createPipelineHandlers({ store: store.store, connectorFor: () => timed, clock, sleep });
  const queue = createJobQueue(store.store, {
    clock,
    rng: () => 0.5,
    leaseMs: 3_600_000,
    maxRunningPerTenant: 1,
  });
  const worker = new Worker({
    store: store.store,
    queue,
    workerId: 'bench',
    clock,
    sleep: (_ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted === true) resolve();
        signal?.addEventListener('abort', () => {
          resolve();
        });
      }),
  });
  // Only the backfill: the retrain it hands over to stays queued.
  worker.register('backfill', handlers.backfill);
  await queue.enqueue({ tenantId: store.tenantId, type: 'backfill', payload: {} });
  run = async () => {
    if (!(await worker.runOnce())) throw new Error('the backfill job did not run');
    const progress = await store.store.getSyncCursor(store.tenantId, 'pipeline:backfill');
    return {
      fetchSeconds,
      progress: progress === undefined ? null : (JSON.parse(progress.cursor) as unknown),
    };
  };
}

global.gc?.();
const before = process.memoryUsage();
let peakRss = before.rss;
let peakHeap = before.heapUsed;
const sample = (): void => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const sampler = setInterval(sample, 20);
const usageBefore = b.org.apiUsage().used;
const virtualBefore = b.clock.now;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const detail = await run();
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
sample();
const calls = b.org.apiUsage().used - usageBefore;
// What the org reported on the connector's last answer (Sforce-Limit-Info), as a cross-check.
const limitInfo = connector.budget.status().usage;
process.stdout.write(
  JSON.stringify({
    mode,
    scope,
    leads: n,
    seededLeads: b.org.query('SELECT Id FROM Lead').length,
    seedSeconds,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    calls,
    limitInfoUsed: limitInfo?.used ?? null,
    usageAfter: b.org.apiUsage().used,
    virtualWaitSeconds: (b.clock.now - virtualBefore) / 1000,
    rssBefore: before.rss,
    heapBefore: before.heapUsed,
    peakRss,
    peakHeap,
    detail,
  }) + '\n',
);
if (bench !== undefined) await closeSfStore(bench);
await b.emulator.close();
