/**
 * Child process of bench/hubspot.ts: backfills a generated portal of N contacts (with their
 * engagement) from the emulator through the real connector and the pipeline's backfill job into
 * SQLite in a temp dir, under the default 110 / 10 s budget, and prints one JSON line with the time,
 * the API calls, the memory and the event-loop delay. Its own process so the peak RSS is the backfill's.
 *
 * Time runs on a *warped* clock shared by the emulator, the budget and the pipeline: real time plus
 * every rate-limit wait, which is skipped instead of slept. The backfill makes one call at a time, so
 * its time on that clock is what a real-time run takes (our work, the SDK and the emulator in real
 * time, plus the waits the budget really needs given that work), without sleeping ~40 minutes.
 *
 * `--then-score` also runs the retrain and rescore jobs the backfill hands over to, each with its own
 * time and event-loop delay (what the demo's status poll shares its process with).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createJobQueue, Worker } from '../app/kit/jobs/index.ts';
import { createPipelineHandlers } from '../app/pipeline/index.ts';
import { createHubSpotConnector, HUBSPOT_SCOPES, PortalBudget } from '../connectors/hubspot/index.ts';
import { generatePortal } from '../sandbox/generator/index.ts';
import { startHubSpotEmulator, type Clock, type TimerHandle } from '../sandbox/hubspot/index.ts';
import { closeBenchStore, openBenchStore } from './hubspot-common.ts';

/** Real time plus the waits that were skipped. */
class WarpClock implements Clock {
  skipped = 0;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  constructor(private readonly start: number) {}

  private readonly origin = Date.now();

  now(): number {
    return this.start + (Date.now() - this.origin) + this.skipped;
  }

  /** A wait that takes no real time (one turn of the event loop). */
  sleep(ms: number): Promise<void> {
    this.skipped += Math.max(0, ms);
    return new Promise((resolve) => setImmediate(resolve));
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      callback();
    }, delayMs);
    timer.unref();
    this.timers.set(id, timer);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout(this.timers.get(handle.id));
    this.timers.delete(handle.id);
  }
}

const n = Number(process.argv[2] ?? '2000');
const thenScore = process.argv.includes('--then-score');
let t = performance.now();
const data = generatePortal({ contacts: n, seed: 7 });
const clock = new WarpClock(data.now + 3_600_000);
const emulator = await startHubSpotEmulator({ clock });
const portal = emulator.portals.create();
const seeded = emulator.portals.seed(portal.id, data);
const seedSeconds = (performance.now() - t) / 1000;
// Emulator tokens live 30 minutes and the backfill runs longer on the warped clock: re-issue, as the
// app's refresh does.
let token = emulator.oauth.issueTokens(portal.id, HUBSPOT_SCOPES);
const bench = await openBenchStore(portal.id, clock.now());
const connector = createHubSpotConnector({
  accessToken: () => {
    if (token.expiresAt - clock.now() < 5 * 60_000)
      token = emulator.oauth.issueTokens(portal.id, HUBSPOT_SCOPES);
    return Promise.resolve(token.accessToken);
  },
  basePath: emulator.url,
  portalId: portal.id,
  budget: new PortalBudget(),
  clock,
  sleep: (ms) => clock.sleep(ms),
});
const handlers = createPipelineHandlers({
  store: bench.store,
  connectorFor: () => connector,
  clock: () => clock.now(),
  sleep: (ms) => clock.sleep(ms),
});
const queue = createJobQueue(bench.store, {
  clock: () => clock.now(),
  rng: () => 0.5,
  leaseMs: 24 * 3_600_000,
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
// The backfill hands over to retrain, which hands over to rescore (then write-back, not run here).
worker.register('backfill', handlers.backfill);
if (thenScore) {
  worker.register('retrain', handlers.retrain);
  worker.register('rescore', handlers.rescore);
}
await queue.enqueue({ tenantId: bench.tenantId, type: 'backfill', payload: {} });

interface Step {
  step: string;
  seconds: number;
  loopMaxMs: number;
  loopP99Ms: number;
}
const ms = (value: number): number => Math.round(value / 1e5) / 10;
async function step(name: string): Promise<Step> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  // The histogram records the gap between two of its timer's turns: it needs one turn before the job
  // (or a job that never yields would leave it empty) and one after (see below).
  await new Promise((resolve) => setTimeout(resolve, 30));
  const started = performance.now();
  if (!(await worker.runOnce())) throw new Error(`the ${name} job did not run`);
  const seconds = (performance.now() - started) / 1000;
  // A delay is recorded when the histogram's timer finally runs: give it a turn after the job.
  await new Promise((resolve) => setTimeout(resolve, 30));
  h.disable();
  return { step: name, seconds, loopMaxMs: ms(h.max), loopP99Ms: ms(h.percentile(99)) };
}

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
// Where the longest stall of the event loop fell: the API call it followed and the stream then.
let lastTick = performance.now();
let stall = { ms: 0, afterCall: 0, path: '' };
const watchdog = setInterval(() => {
  const now = performance.now();
  if (now - lastTick > stall.ms) {
    const last = emulator.requests[emulator.requests.length - 1];
    stall = {
      ms: Math.round(now - lastTick),
      afterCall: emulator.requests.length - requestsBefore,
      path:
        last === undefined
          ? ''
          : `${last.path.split('?')[0] ?? ''}${last.path.includes('eventType=') ? ` (${/eventType=([^&]+)/.exec(last.path)?.[1] ?? ''})` : ''}`,
    };
  }
  lastTick = now;
}, 20);
const clockBefore = clock.now();
t = performance.now();
const backfill = await step('backfill');
const warpedSeconds = (clock.now() - clockBefore) / 1000;
clearInterval(sampler);
clearInterval(watchdog);
const m = process.memoryUsage();
peakRss = Math.max(peakRss, m.rss, process.resourceUsage().maxRSS * 1024);
peakHeap = Math.max(peakHeap, m.heapUsed);
const requests = emulator.requests.slice(requestsBefore);
const calls = requests.length;
const status429 = requests.filter((r) => r.status === 429).length;
const progress = await bench.store.getSyncCursor(bench.tenantId, 'pipeline:backfill');
const later = thenScore ? [await step('retrain'), await step('rescore')] : [];
process.stdout.write(
  JSON.stringify({
    contacts: n,
    seededContacts: seeded.contacts.size,
    events: seeded.events + seeded.engagements,
    seedSeconds,
    realSeconds: backfill.seconds,
    seconds: warpedSeconds,
    skippedWaitSeconds: warpedSeconds - backfill.seconds,
    calls,
    status429,
    rssBefore: before.rss,
    heapBefore: before.heapUsed,
    peakRss,
    peakHeap,
    loopMaxMs: backfill.loopMaxMs,
    loopP99Ms: backfill.loopP99Ms,
    longestStall: stall,
    later,
    progress: progress === undefined ? null : (JSON.parse(progress.cursor) as unknown),
  }) + '\n',
);
await closeBenchStore(bench);
await emulator.close();
