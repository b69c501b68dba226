/**
 * `npm run bench -- hubspot` (second of `npm run bench`): write-back throughput under the emulator's
 * 110 requests / 10 s, API calls per 10,000 changed contacts and per unchanged rescore, webhook →
 * written-score latency through a running runtime, and backfill time and memory (a child process,
 * bench/hubspot-backfill.ts). All through the real SDK against the emulator. Writes the HubSpot
 * section of docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../app/kit/config/index.ts';
import {
  CRM_FIELDS,
  ingestConsent,
  ingestPeople,
  scoreTenant,
  writeBackPending,
} from '../app/pipeline/index.ts';
import { WRITE_CONCURRENCY } from '../app/pipeline/write-back.ts';
import { buildRuntime } from '../app/runtime/index.ts';
import { webhookUrl } from '../app/integrations/hubspot/index.ts';
import { capturedLogger } from '../app/runtime/testdata/support.ts';
import { createMetrics } from '../app/kit/http/index.ts';
import {
  createHubSpotConnector,
  DEFAULT_PORTAL_BUDGET,
  HUBSPOT_SCOPES,
  PortalBudget,
} from '../connectors/hubspot/index.ts';
import type { Connector } from '../connectors/index.ts';
import { generatePortal } from '../sandbox/generator/index.ts';
import {
  ManualClock,
  startHubSpotEmulator,
  TEN_SECONDLY,
  type HubSpotEmulator,
} from '../sandbox/hubspot/index.ts';
import { addContacts } from '../sandbox/hubspot/testing.ts';
import { machine, ROOT, writeSection } from './doc.ts';
import { closeBenchStore, fmt, insertPending, openBenchStore, percentile } from './hubspot-common.ts';

const log = (text: string): void => {
  process.stderr.write(text + '\n');
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const CEILING = (TEN_SECONDLY.max * 100) / (TEN_SECONDLY.windowMs / 1000); // records/s at 100 per call
const BATCH_UPDATE = '/crm/v3/objects/contacts/batch/update';

function connectorOf(emulator: HubSpotEmulator, portalId: number, token: string): Connector {
  return createHubSpotConnector({
    accessToken: () => Promise.resolve(token),
    basePath: emulator.url,
    portalId,
    budget: new PortalBudget(),
    clock: { now: () => Date.now() },
  });
}

// ── 1. Write-back throughput, real time ───────────────────────────────────────────────────────
interface WriteRun {
  label: string;
  concurrency: number;
  latencyMs: number;
  records: number;
  wallSeconds: number;
  /** Whole windows measured after the first one. */
  steadySeconds: number;
  sustained: number;
  /** Most calls the emulator admitted in any rolling window (its limit is 110). */
  maxInWindow: number;
  calls: number;
  status429: number;
  lost: number;
  msPerCall: number;
}

/** Most timestamps in any window (t - windowMs, t], as the emulator counts. */
function maxInRollingWindow(sorted: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[j] as number) <= (sorted[i] as number) - windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

interface WriteSetup {
  label: string;
  concurrency: number;
  n: number;
  /** Added to every batch update at the emulator (a HubSpot-like round trip); none when 0. */
  latencyMs: number;
}

async function writeBackThroughput(runs: readonly WriteSetup[]): Promise<WriteRun[]> {
  const emulator = await startHubSpotEmulator();
  const results: WriteRun[] = [];
  const setups = [];
  for (const run of runs) {
    const { n } = run;
    const portal = emulator.portals.create();
    const ids = addContacts(portal, n, Date.now());
    if (run.latencyMs > 0) {
      emulator.faults.add({
        kind: 'latency',
        portalId: portal.id,
        method: 'POST',
        path: BATCH_UPDATE,
        latencyMs: run.latencyMs,
      });
    }
    const { accessToken } = emulator.oauth.issueTokens(portal.id, HUBSPOT_SCOPES);
    const connector = connectorOf(emulator, portal.id, accessToken);
    await connector.ensureSchema();
    const bench = await openBenchStore(portal.id, Date.now());
    await insertPending(bench, ids, Date.now());
    setups.push({ ...run, portal, ids, connector, bench });
  }
  // The schema calls must leave the emulator's rolling window before the measured runs.
  await sleep(TEN_SECONDLY.windowMs + 200);
  const W = TEN_SECONDLY.windowMs;
  for (const { label, concurrency, n, latencyMs, portal, ids, connector, bench } of setups) {
    log(`write-back of ${fmt(n)} contacts, ${label} …`);
    const from = emulator.requests.length;
    const started = performance.now();
    const summary = await writeBackPending({
      store: bench.store,
      tenantId: bench.tenantId,
      connector,
      clock: () => Date.now(),
      sleep,
      concurrency,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const requests = emulator.requests.slice(from).filter((r) => r.portalId === portal.id);
    const ok = requests
      .filter((r) => r.path.startsWith(BATCH_UPDATE) && r.status === 200)
      .map((r) => r.at)
      .sort((a, b) => a - b);
    // Steady state: every whole window after the first (whose burst a long run does not see again),
    // counted on the emulator's arrival times. Every batch holds 100 records (n is a multiple of 100).
    const first = ok[0] ?? Number.NaN;
    const last = ok[ok.length - 1] ?? Number.NaN;
    const t0 = first + W;
    const windows = Math.floor((last - t0) / W);
    const steady = ok.filter((at) => at >= t0 && at < t0 + windows * W).length;
    const sustained = windows > 0 ? (steady * 100) / ((windows * W) / 1000) : Number.NaN;
    const p = emulator.portals.get(portal.id);
    const withScore = ids.filter(
      (id) => p.get('contacts', id)?.properties.get('leadgate_scored_at') !== undefined,
    ).length;
    const left =
      (await bench.store.listScoresByWriteBack(bench.tenantId, 'pending', 10)).length +
      (await bench.store.listScoresByWriteBack(bench.tenantId, 'failed', 10)).length;
    const admitted = requests
      .filter((r) => r.status !== 429)
      .map((r) => r.at)
      .sort((a, b) => a - b);
    results.push({
      label,
      concurrency,
      latencyMs,
      records: summary.written,
      wallSeconds,
      steadySeconds: (windows * W) / 1000,
      sustained,
      maxInWindow: maxInRollingWindow(admitted, W),
      calls: requests.length,
      status429: requests.filter((r) => r.status === 429).length,
      lost: n - withScore + left,
      msPerCall: (last - first) / (ok.length - 1),
    });
    log(
      `  ${fmt(sustained)} records/s over ${(windows * W) / 1000} s of steady state, ${requests.length} calls, ${wallSeconds.toFixed(1)} s`,
    );
    await closeBenchStore(bench);
  }
  await emulator.close();
  return results;
}

// ── 2. API calls per 10,000 changed contacts, and per unchanged rescore ─────────────────────
interface CallCounts {
  contacts: number;
  pending: number;
  writeCalls: number;
  rescorePending: number;
  rescoreCalls: number;
}

async function callCounts(contacts: number): Promise<CallCounts> {
  const data = generatePortal({ contacts, seed: 11 });
  const clock = new ManualClock(data.now + 3_600_000);
  const emulator = await startHubSpotEmulator({ clock });
  const portal = emulator.portals.create();
  emulator.portals.seed(portal.id, data);
  const { accessToken } = emulator.oauth.issueTokens(portal.id, HUBSPOT_SCOPES);
  const connector = createHubSpotConnector({
    accessToken: () => Promise.resolve(accessToken),
    basePath: emulator.url,
    portalId: portal.id,
    budget: new PortalBudget(),
    clock,
    sleep: (ms) => clock.advance(ms),
  });
  await connector.ensureSchema();
  const bench = await openBenchStore(portal.id, clock.now());
  const ctx = {
    store: bench.store,
    tenantId: bench.tenantId,
    mode: 'backfill' as const,
    fields: CRM_FIELDS.hubspot,
  };
  for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
    const page = await connector.listPeople(cursor);
    await bench.store.transaction((tx) => ingestPeople({ ...ctx, store: tx, now: clock.now() }, page.items));
    cursor = page.next;
  }
  for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
    const page = await connector.listConsent(cursor);
    await bench.store.transaction((tx) => ingestConsent({ ...ctx, store: tx, now: clock.now() }, page.items));
    cursor = page.next;
  }
  const deps = {
    store: bench.store,
    tenantId: bench.tenantId,
    connector,
    clock: () => clock.now(),
    sleep: (ms: number) => clock.advance(ms),
  };
  const scoreRun = (): ReturnType<typeof scoreTenant> =>
    scoreTenant({
      store: bench.store,
      tenantId: bench.tenantId,
      now: clock.now(),
      fields: CRM_FIELDS.hubspot,
      actor: 'bench',
    });
  const first = await scoreRun();
  let from = emulator.requests.length;
  await writeBackPending(deps);
  const writeCalls = emulator.requests.length - from;
  await clock.advance(60_000);
  const again = await scoreRun();
  from = emulator.requests.length;
  await writeBackPending(deps);
  const rescoreCalls = emulator.requests.length - from;
  await closeBenchStore(bench);
  await emulator.close();
  return { contacts, pending: first.pending, writeCalls, rescorePending: again.pending, rescoreCalls };
}

// ── 3. Webhook → written score through a running runtime, real time ───────────────────────────
interface Latency {
  rate: number;
  seconds: number;
  changes: number;
  written: number;
  median: number;
  p95: number;
  max: number;
  firstAfterInstallMs: number;
  contacts: number;
}

const TITLES = ['Student', 'Chief Executive Officer'] as const;

async function webhookLatency(rate: number, seconds: number): Promise<Latency> {
  const dir = mkdtempSync(join(tmpdir(), 'leadgate-bench-webhooks-'));
  const emulator = await startHubSpotEmulator();
  const portal = emulator.portals.create();
  const contacts = rate * seconds + 1;
  const ids: string[] = [];
  for (let i = 0; i < contacts; i++) {
    const values = new Map([
      ['email', `lead${i}@acme-${i % 97}.com`],
      ['firstname', `Lead${i}`],
      ['jobtitle', TITLES[0]],
      ['country', 'Germany'],
      ['hs_legal_basis', 'Legitimate interest – prospect/lead'],
      ['hs_email_optout', 'false'],
    ]);
    ids.push(portal.create('contacts', values, { at: Date.now() - 86_400_000, silent: true }).id);
  }
  const runtime = await buildRuntime(loadConfig({ LEADGATE_DATA_DIR: dir, PORT: '0' }), {
    logger: capturedLogger().logger,
    metrics: createMetrics(),
    hubspot: {
      clientId: emulator.app.clientId,
      clientSecret: emulator.app.clientSecret,
      basePath: emulator.url,
      authorizeUrl: `${emulator.url}/oauth/authorize`,
      appId: emulator.app.appId,
    },
  });
  const written = new Map<string, number>();
  portal.onChange((c) => {
    if (c.propertyName === 'leadgate_scored_at') written.set(c.objectId, Date.now());
  });
  try {
    // Install as an admin would: our redirect, the authorize page, the callback (queues the backfill).
    const start = await fetch(`${runtime.urls.base}/install/hubspot`, { redirect: 'manual' });
    const approved = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = await fetch(approved.headers.get('location') ?? '');
    if (callback.status !== 200) throw new Error(`install failed: ${callback.status}`);
    const waitFor = async (what: string, done: () => boolean, limitMs: number): Promise<void> => {
      const until = Date.now() + limitMs;
      while (!done()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await sleep(20);
      }
    };
    log(`webhooks: waiting for the backfill of ${contacts} contacts to be scored and written …`);
    await waitFor('the first write-back', () => written.size >= contacts, 120_000);
    emulator.webhooks.configure({
      targetUrl: webhookUrl(runtime.publicUrl(), emulator.app.clientSecret),
      subscriptions: [{ subscriptionType: 'contact.propertyChange', propertyName: 'jobtitle' }],
    });
    const change = (id: string): number => {
      const obj = portal.get('contacts', id);
      if (obj === undefined) throw new Error(`no contact ${id}`);
      const at = Date.now();
      written.delete(id);
      portal.update(obj, new Map([['jobtitle', TITLES[1]]]), { at, sourceType: 'CRM_UI' });
      return at;
    };
    // The first change after install: the incremental sweep has no cursor yet (see the notes).
    const warm = ids[contacts - 1] as string;
    const warmAt = change(warm);
    await waitFor('the first webhook write', () => written.has(warm), 120_000);
    const firstAfterInstallMs = (written.get(warm) as number) - warmAt;
    log(`webhooks: ${rate} changes/s for ${seconds} s …`);
    const changedAt = new Map<string, number>();
    const tick = 100;
    const perTick = (rate * tick) / 1000;
    const begin = Date.now();
    for (let k = 0; k < (seconds * 1000) / tick; k++) {
      for (let j = 0; j < perTick; j++) {
        const id = ids[k * perTick + j] as string;
        changedAt.set(id, change(id));
      }
      await sleep(Math.max(0, begin + (k + 1) * tick - Date.now()));
    }
    await waitFor('the last score', () => [...changedAt.keys()].every((id) => written.has(id)), 60_000).catch(
      (e: unknown) => {
        log(String(e));
      },
    );
    const latencies = [...changedAt].flatMap(([id, at]) => {
      const w = written.get(id);
      return w === undefined ? [] : [w - at];
    });
    return {
      rate,
      seconds,
      changes: changedAt.size,
      written: latencies.length,
      median: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: Math.max(...latencies),
      firstAfterInstallMs,
      contacts,
    };
  } finally {
    await runtime.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ── 4. Backfill, in a child process ─────────────────────────────────────────────────────────
interface Step {
  step: string;
  seconds: number;
  loopMaxMs: number;
  loopP99Ms: number;
}
interface Backfill {
  contacts: number;
  events: number;
  realSeconds: number;
  seconds: number;
  calls: number;
  status429: number;
  rssBefore: number;
  heapBefore: number;
  peakRss: number;
  peakHeap: number;
  loopMaxMs: number;
  loopP99Ms: number;
  longestStall: { ms: number; afterCall: number; path: string };
  later: Step[];
}

function backfill(contacts: number, thenScore = false): Backfill {
  log(
    `backfill of ${fmt(contacts)} contacts${thenScore ? ', then retrain and rescore' : ''} (child process) …`,
  );
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'bench', 'hubspot-backfill.ts'),
      String(contacts),
      ...(thenScore ? ['--then-score'] : []),
    ],
    { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 },
  );
  if (child.status !== 0) throw new Error(`backfill child failed: ${child.stderr}`);
  const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Backfill;
  log(
    `  ${result.seconds.toFixed(0)} s on the warped clock, ${result.realSeconds.toFixed(0)} s of work, ${result.calls} calls`,
  );
  return result;
}

// ── Run and report ───────────────────────────────────────────────────────────────────────────
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
// Several whole windows of steady state at 1,100 records/s after the first window: ~50 s.
const WRITE_CONTACTS = arg('write', 66_000);
const BACKFILL_SIZES = (
  process.argv.includes('--backfill')
    ? (process.argv[process.argv.indexOf('--backfill') + 1] ?? '')
    : '100000'
)
  .split(',')
  .map(Number);
const DEMO_CONTACTS = 5_000;

const loadAt: Record<string, string> = {};
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
const started = performance.now();
loadAt.start = load();
const HUBSPOT_LIKE_LATENCY_MS = 250;
const inFlight = WRITE_CONCURRENCY.hubspot;
const writes = await writeBackThroughput([
  { label: 'one batch in flight (as before; baseline)', concurrency: 1, n: WRITE_CONTACTS, latencyMs: 0 },
  { label: `${inFlight} in flight (default)`, concurrency: inFlight, n: WRITE_CONTACTS, latencyMs: 0 },
  // At ~370 records/s one in flight needs fewer records for the same number of whole windows.
  {
    label: `one batch in flight, +${HUBSPOT_LIKE_LATENCY_MS} ms per call (baseline)`,
    concurrency: 1,
    n: Math.round(WRITE_CONTACTS / 220) * 100,
    latencyMs: HUBSPOT_LIKE_LATENCY_MS,
  },
  {
    label: `${inFlight} in flight, +${HUBSPOT_LIKE_LATENCY_MS} ms per call`,
    concurrency: inFlight,
    n: WRITE_CONTACTS,
    latencyMs: HUBSPOT_LIKE_LATENCY_MS,
  },
]);
loadAt.afterWrites = load();
log('call counts on 10,000 contacts …');
const counts = await callCounts(10_000);
const latency = await webhookLatency(100, 20);
loadAt.beforeBackfill = load();
const backfills = BACKFILL_SIZES.map((size) => backfill(size));
const demo = backfill(DEMO_CONTACTS, true);
const totalSeconds = (performance.now() - started) / 1000;

const pct = (v: number): string => `${((100 * v) / CEILING).toFixed(1)}%`;
const mib = (bytes: number): string => `${fmt(bytes / 2 ** 20)} MiB`;
const writeRows = writes
  .map(
    (w) =>
      `| ${w.label} | ${fmt(w.records)} | ${w.steadySeconds} | ${fmt(w.sustained)} | **${pct(w.sustained)}** | ${(w.sustained / (writes.find((b) => b.concurrency === 1 && b.latencyMs === w.latencyMs)?.sustained ?? Number.NaN)).toFixed(2)} | ${w.wallSeconds.toFixed(1)} | ${w.calls} | ${w.maxInWindow} | ${w.status429} | ${w.lost} | ${w.msPerCall.toFixed(0)} |`,
  )
  .join('\n');
const per10k = (counts.writeCalls * 10_000) / counts.pending;
const floorSeconds = (calls: number): number => (calls * TEN_SECONDLY.windowMs) / TEN_SECONDLY.max / 1000;
const minutes = (sec: number): string => `${(sec / 60).toFixed(1)} min`;
const backfillRows = [...backfills, demo]
  .map(
    (b) =>
      `| ${fmt(b.contacts)} | ${fmt(b.events)} | ${fmt(b.calls)} | ${minutes(floorSeconds(b.calls))} | ${minutes(b.seconds)} | ${(b.seconds / floorSeconds(b.calls)).toFixed(2)} | ${b.realSeconds.toFixed(0)} s (${((1000 * b.realSeconds) / b.calls).toFixed(1)} ms/call) | ${b.status429} | ${mib(b.rssBefore)} → ${mib(b.peakRss)} | ${mib(b.heapBefore)} → ${mib(b.peakHeap)} | ${fmt(b.loopMaxMs)} / ${fmt(b.loopP99Ms)} ms |`,
  )
  .join('\n');
const stallNotes = [...backfills, demo]
  .map(
    (b) =>
      `${fmt(b.contacts)} contacts: ${fmt(b.longestStall.ms)} ms ${b.longestStall.afterCall === 0 ? 'before the first call' : `after call ${fmt(b.longestStall.afterCall)} of ${fmt(b.calls)} (\`${b.longestStall.path}\`)`}`,
  )
  .join('; ');
const laterRows = demo.later
  .map((l) => `| ${l.step} | ${l.seconds.toFixed(1)} | ${fmt(l.loopMaxMs)} ms | ${fmt(l.loopP99Ms)} ms |`)
  .join('\n');

const markdown = `## HubSpot (emulator, real SDK)

Produced by \`npm run bench -- hubspot\` (bench/hubspot.ts, also the second half of \`npm run bench\`):
every figure below is from one run of ${totalSeconds.toFixed(0)} s, against the HubSpot emulator
(\`sandbox/hubspot\`) through \`@hubspot/api-client\` and our connector and pipeline code, SQLite stores in
temp dirs. The emulator runs in the same process, so its work is in every figure.

- Machine: ${machine()} at the end of the run; ${loadAt.start} at the start, ${loadAt.afterWrites} after the write-back runs, ${loadAt.beforeBackfill} before the backfills
- Date: ${new Date().toISOString().slice(0, 10)}

### Write-back under the emulator's ${TEN_SECONDLY.max} requests / 10 s (real time)

${fmt(WRITE_CONTACTS)} pending scores of bare contacts per run, \`writeBackPending\` through the real connector
and the default \`PortalBudget\` (${DEFAULT_PORTAL_BUDGET.standardPerWindow} / 10 s, each slot held until a window after its answer).
Ceiling: ${TEN_SECONDLY.max} calls / 10 s × 100 records per batch update = **${fmt(CEILING)} records/s**. *Sustained* counts
the batch updates the emulator accepted (by arrival time) over every whole 10 s window after the first
one (the first admits a burst a long run never sees again); *steady s* is how long that is. *Max in
10 s* is the most calls the emulator admitted in any rolling window. Lost = contacts without
\`leadgate_scored_at\` in the emulator plus scores left pending or dead-lettered. Each baseline is
one batch in flight, as write-back worked before, measured in this run with the same budget; the
last two runs add ${HUBSPOT_LIKE_LATENCY_MS} ms to every batch update at the emulator (a latency fault), a round trip
closer to HubSpot's than the in-process emulator's few milliseconds.

| run | records | steady s | sustained records/s | of ceiling | × baseline | wall s | calls | max in 10 s | 429s | lost | ms between calls |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${writeRows}

### API calls

| run | contacts changed | API calls (all, at the emulator) | per 10,000 changed | minimum |
| --- | --- | --- | --- | --- |
| first scores of ${fmt(counts.contacts)} generated contacts | ${fmt(counts.pending)} | ${counts.writeCalls} | ${per10k.toFixed(1)} | 100 |
| rescore where nothing changed | ${fmt(counts.rescorePending)} | ${counts.rescoreCalls} | – | 0 |

(${fmt(counts.contacts - counts.pending)} of the ${fmt(counts.contacts)} contacts have no lawful basis or opted out and get no score.)

### Webhook → written score (real time, running runtime)

\`buildRuntime\` with its default worker (polling every 1 s when idle) and the pipeline handlers, installed
through the OAuth flow on a portal of ${fmt(latency.contacts)} contacts; the emulator fires
\`contact.propertyChange\` webhooks (batched for 1 s, as HubSpot does) for job-title changes made at
${latency.rate} per second for ${latency.seconds} s, each contact once. Latency runs from the change's time to the
emulator storing the written \`leadgate_scored_at\` for that contact.

| changes | written | median | p95 | max |
| --- | --- | --- | --- | --- |
| ${fmt(latency.changes)} | ${fmt(latency.written)} | ${fmt(latency.median)} ms | ${fmt(latency.p95)} ms | ${fmt(latency.max)} ms |

The very first change after install took ${fmt(latency.firstAfterInstallMs)} ms.

### Backfill (child process, emulator in it, default budget, warped clock)

The pipeline's \`backfill\` job through the real connector into SQLite, under the default budget of ${DEFAULT_PORTAL_BUDGET.standardPerWindow} / 10 s.
Time runs on a *warped* clock shared by the emulator, the budget and the pipeline: real time plus every
rate-limit wait, which is skipped rather than slept. The backfill makes one call at a time, so *time*
is what a real-time run takes: our work, the SDK and the emulator in real time, plus the waits the
budget needs on top. The *floor* is what the rate limit alone allows: calls × 10 s / ${TEN_SECONDLY.max}. The
events stream is the bulk of it: ~23 analytics events per contact, 100 per page, one call each.
*Work* is the real time spent (ours, the SDK's and the in-process emulator's). Memory is the
child's, the emulator with the seeded portal included (most of it), before the backfill → peak
during it. *Loop delay* is \`perf_hooks.monitorEventLoopDelay\` over the backfill (max / p99).

| contacts | events + engagements | API calls | floor | time | × floor | work | 429s | RSS | heap used | loop delay max / p99 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${backfillRows}

Longest stall of the event loop (a 20 ms interval's largest gap) and the call it followed: ${stallNotes}.
The emulator and the generated portal share the process, so a stall there may be the emulator's
(first page of an events query sorts all its events) or the garbage collector's (a heap of a few GiB).

The last row (the demo's size) goes on with the jobs the backfill hands over to; each runs as one
job of the same worker, as in \`npm start\`, with the event loop measured the same way:

| job (${fmt(DEMO_CONTACTS)} contacts) | s | loop delay max | p99 |
| --- | --- | --- | --- |
${laterRows}

A job that keeps the event loop for longer than Node's 5 s \`keepAliveTimeout\` lets the HTTP server
close an idle keep-alive socket at the same turn as the demo's status poll (same process) writes its
next request on it: the poll's ECONNRESET. Both jobs held it for their whole length (~3 s here) until
their passes over every person gave the loop a turn every 100 persons (\`app/pipeline/yield.ts\`); what
is left in one stretch is the single snapshot query and, for retrain, the model fit.
`;
writeSection('hubspot', markdown);
log(markdown);
