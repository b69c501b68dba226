/**
 * Child process of bench/hubspot.ts: backfills a generated portal of N contacts from the emulator
 * through the real connector and the pipeline's backfill job into SQLite in a temp dir, and prints
 * one JSON line with the time and the memory. Its own process so the peak RSS is the backfill's.
 * The emulator and the connector share a manual clock: rate-limit waits take no real time, and the
 * time they would take is reported separately (the wall time is our code, the emulator and SQLite).
 */
import { createHubSpotConnector, HUBSPOT_SCOPES, PortalBudget } from '../connectors/hubspot/index.ts';
import { createJobQueue, Worker } from '../app/jobs/index.ts';
import { createPipelineHandlers } from '../app/pipeline/index.ts';
import { generatePortal } from '../sandbox/generator/index.ts';
import { ManualClock, startHubSpotEmulator } from '../sandbox/hubspot/index.ts';
import { closeBenchStore, openBenchStore } from './hubspot-common.ts';

const n = Number(process.argv[2] ?? '20000');
const data = generatePortal({ contacts: n, seed: 7 });
const clock = new ManualClock(data.now + 3_600_000);
const emulator = await startHubSpotEmulator({ clock });
const portal = emulator.portals.create();
const seeded = emulator.portals.seed(portal.id, data);
const { accessToken } = emulator.oauth.issueTokens(portal.id, HUBSPOT_SCOPES);
const bench = await openBenchStore(portal.id, clock.now());
const connector = createHubSpotConnector({
  accessToken: () => Promise.resolve(accessToken),
  basePath: emulator.url,
  portalId: portal.id,
  budget: new PortalBudget(),
  clock,
  sleep: (ms) => clock.advance(ms),
});
const handlers = createPipelineHandlers({
  store: bench.store,
  connectorFor: () => connector,
  clock: () => clock.now(),
  sleep: (ms) => clock.advance(ms),
});
const queue = createJobQueue(bench.store, {
  clock: () => clock.now(),
  rng: () => 0.5,
  leaseMs: 600_000,
  maxRunningPerTenant: 1,
});
const worker = new Worker({
  store: bench.store,
  queue,
  workerId: 'bench',
  clock: () => clock.now(),
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
await queue.enqueue({ tenantId: bench.tenantId, type: 'backfill', payload: {} });

global.gc?.();
const before = process.memoryUsage();
let peakRss = before.rss;
let peakHeap = before.heapUsed;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 25);
const requestsBefore = emulator.requests.length;
const virtualBefore = clock.now();
const started = performance.now();
if (!(await worker.runOnce())) throw new Error('the backfill job did not run');
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
const m = process.memoryUsage();
peakRss = Math.max(peakRss, m.rss, process.resourceUsage().maxRSS * 1024);
peakHeap = Math.max(peakHeap, m.heapUsed);
const calls = emulator.requests.length - requestsBefore;
const status429 = emulator.requests.slice(requestsBefore).filter((r) => r.status === 429).length;
const progress = await bench.store.getSyncCursor(bench.tenantId, 'pipeline:backfill');
process.stdout.write(
  JSON.stringify({
    contacts: n,
    seededContacts: seeded.contacts.size,
    events: seeded.events + seeded.engagements,
    seconds,
    calls,
    status429,
    rateWaitSeconds: (clock.now() - virtualBefore) / 1000,
    rssBefore: before.rss,
    heapBefore: before.heapUsed,
    peakRss,
    peakHeap,
    progress: progress === undefined ? null : (JSON.parse(progress.cursor) as unknown),
  }) + '\n',
);
await closeBenchStore(bench);
await emulator.close();
