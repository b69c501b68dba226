/**
 * `npm run bench -- salesforce` (third of `npm run bench`): through the real jsforce 3.10.16, our
 * connector and pipeline against the in-process Salesforce emulator, SQLite stores in temp dirs:
 * records per sObject Collections call and API calls per 10,000 changed records and per unchanged
 * rescore; backfill of 100,000 Leads through SOQL paging and Bulk API 2.0 (child processes,
 * bench/salesforce-backfill.ts); change event → written score through a running runtime (child process,
 * bench/salesforce-cdc.ts). Writes the Salesforce section of docs/benchmarks.md.
 * Options: --leads N (backfill size, default 100000), --rate R --seconds S (change events, default 20 / 30).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  CRM_FIELDS,
  type IngestContext,
  ingestConsent,
  ingestPeople,
  scoreTenant,
  writeBackPending,
} from '../app/pipeline/index.ts';
import { machine, ROOT, writeSection } from './doc.ts';
import { fmt } from './hubspot-common.ts';
import {
  benchConnector,
  closeSfStore,
  openSfStore,
  seedLeads,
  startBenchOrg,
  type SfBenchStore,
} from './salesforce-common.ts';

const log = (text: string): void => {
  process.stderr.write(text + '\n');
};
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const LEADS = arg('leads', 100_000);
const RATE = arg('rate', 20);
const SECONDS = arg('seconds', 30);
const COLLECTIONS = /\/composite\/sobjects$/;

// ── 1. Records per Collections call, calls per 10,000 changed, calls for an unchanged rescore ──
interface CallRun {
  run: string;
  changed: number;
  calls: number;
  collections: number;
  written: number;
  minimum: number;
}

async function drainInto(
  bench: SfBenchStore,
  list: (cursor?: string) => Promise<{ items: unknown[]; next?: string }>,
  ingest: (ctx: IngestContext, items: readonly unknown[]) => Promise<unknown>,
  now: () => number,
): Promise<void> {
  for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
    const page = await list(cursor);
    await bench.store.transaction((tx) =>
      ingest(
        { store: tx, tenantId: bench.tenantId, mode: 'backfill', now: now(), fields: CRM_FIELDS.salesforce },
        page.items,
      ),
    );
    cursor = page.next;
  }
}

async function callCounts(leads: number, changes: number): Promise<{ leads: number; runs: CallRun[] }> {
  const b = await startBenchOrg();
  const ids = seedLeads(b.org, leads);
  const connector = benchConnector(b);
  const now = (): number => b.clock.now;
  const bench = await openSfStore(b.org.id, now());
  b.emulator.faults.add({ kind: 'latency', latencyMs: 0, method: 'PATCH', path: COLLECTIONS });
  const collectionsSoFar = (): number => b.emulator.faults.firedCounts()[0] ?? 0;
  await drainInto(bench, (c) => connector.listPeople(c), ingestPeople, now);
  await drainInto(bench, (c) => connector.listConsent(c), ingestConsent, now);
  const runs: CallRun[] = [];
  // One rescore and write-back as the pipeline's jobs run it; calls counted at the emulator.
  const measure = async (run: string, sync?: () => Promise<string[]>): Promise<void> => {
    const used = b.org.apiUsage().used;
    const collections = collectionsSoFar();
    const personIds = sync === undefined ? undefined : await sync();
    const scored = await scoreTenant({
      store: bench.store,
      tenantId: bench.tenantId,
      now: now(),
      fields: CRM_FIELDS.salesforce,
      actor: 'bench',
      ...(personIds === undefined ? {} : { personIds }),
    });
    const summary = await writeBackPending({
      store: bench.store,
      tenantId: bench.tenantId,
      connector,
      clock: now,
      sleep: (ms) => {
        b.clock.now += ms;
        return Promise.resolve();
      },
    });
    runs.push({
      run,
      changed: scored.pending,
      calls: b.org.apiUsage().used - used,
      collections: collectionsSoFar() - collections,
      written: summary.written,
      minimum: Math.ceil(scored.pending / 200),
    });
    b.clock.now += 60_000;
  };
  log(`calls: first scores of ${fmt(leads)} Leads …`);
  await measure(`first scores of ${fmt(leads)} seeded Leads`);
  log('calls: rescore where nothing changed …');
  await measure('rescore where nothing changed');
  // Another client changes titles; the incremental sweep (SystemModstamp) finds them, then rescore.
  const since = b.clock.now;
  b.clock.now += 1_000;
  const changed = ids.filter((_, i) => i % 12 !== 0).slice(0, changes);
  for (const [i, id] of changed.entries())
    b.org.update('Lead', id, { Title: i % 2 === 0 ? 'Student' : 'Chief Executive Officer' });
  log(`calls: incremental sweep and rescore of ${fmt(changes)} changed Leads …`);
  await measure(`${fmt(changes)} Leads changed by another client: incremental sweep, rescore`, async () => {
    const people: string[] = [];
    for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = await connector.listPeopleChangedSince(since, cursor);
      await bench.store.transaction((tx) =>
        ingestPeople(
          { store: tx, tenantId: bench.tenantId, mode: 'live', now: now(), fields: CRM_FIELDS.salesforce },
          page.items,
        ),
      );
      people.push(...page.items.map((p) => p.crmId));
      cursor = page.next;
    }
    return people;
  });
  await closeSfStore(bench);
  await b.emulator.close();
  return { leads, runs };
}

// ── 2. Backfill of N Leads, SOQL and Bulk 2.0, one child process each ─────────────────────────
interface StreamStats {
  items: number;
  pages: number;
  calls: number;
  seconds: number;
}
interface BackfillRun {
  mode: 'soql' | 'bulk';
  scope: 'raw' | 'fetch' | 'pipeline';
  leads: number;
  seedSeconds: number;
  seconds: number;
  cpuSeconds: number;
  calls: number;
  limitInfoUsed: number | null;
  rssBefore: number;
  peakRss: number;
  heapBefore: number;
  peakHeap: number;
  detail: Record<string, StreamStats> & { records?: number; fetchSeconds?: number };
}

function backfill(mode: 'soql' | 'bulk', scope: 'raw' | 'fetch' | 'pipeline'): BackfillRun {
  log(`backfill of ${fmt(LEADS)} Leads: ${mode}, ${scope} (child process) …`);
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(ROOT, 'bench', 'salesforce-backfill.ts'),
      mode,
      scope,
      String(LEADS),
    ],
    { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 },
  );
  if (child.status !== 0) throw new Error(`backfill child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as BackfillRun;
}

// ── 3. Change event → written score, running runtime, child process ───────────────────────────
interface CdcRun {
  rate: number;
  seconds: number;
  leads: number;
  installSeconds: number;
  firstMs: number;
  changes: number;
  written: number;
  median: number;
  p95: number;
  max: number;
  offeredSeconds: number;
  drainedSeconds: number;
  calls: number;
}

function cdcLatency(): CdcRun {
  log(`change events: ${RATE}/s for ${SECONDS} s through a running runtime (child process) …`);
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'salesforce-cdc.ts'), String(RATE), String(SECONDS)],
    { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 },
  );
  if (child.status !== 0) throw new Error(`change-event child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as CdcRun;
}

// ── Run and report ───────────────────────────────────────────────────────────────────────────
const started = performance.now();
const loadAtStart = machine();
const counts = await callCounts(10_000, 2_000);
const raw = backfill('soql', 'raw');
const fetches = [backfill('soql', 'fetch'), backfill('bulk', 'fetch')];
const pipelines = [backfill('soql', 'pipeline'), backfill('bulk', 'pipeline')];
const cdc = cdcLatency();
const totalSeconds = (performance.now() - started) / 1000;

const mib = (bytes: number): string => `${fmt(bytes / 2 ** 20)} MiB`;
const s = (v: number): string => v.toFixed(1);
const label = { soql: 'SOQL paging (2,000 a page)', bulk: 'Bulk API 2.0 query (10,000 a page)' } as const;
const per = (c: CallRun): string => (c.collections === 0 ? '–' : fmt(c.written / c.collections, 1));
const per10k = (c: CallRun): string => (c.changed === 0 ? '–' : fmt((c.calls * 10_000) / c.changed, 1));
const callRows = counts.runs
  .map(
    (c) =>
      `| ${c.run} | ${fmt(c.changed)} | ${fmt(c.calls)} | ${fmt(c.collections)} | ${per(c)} | ${per10k(c)} | ${fmt(c.minimum)} |`,
  )
  .join('\n');
const people = (r: BackfillRun): StreamStats => r.detail['people'] as StreamStats;
const soqlFetch = fetches[0] as BackfillRun;
const bulkFetch = fetches[1] as BackfillRun;
const fetchRows = fetches
  .map(
    (r) =>
      `| ${label[r.mode]} | ${s(r.seconds)} | ${s(r.cpuSeconds)} | ${fmt(r.calls)} | ${s(people(r).seconds)} (${fmt(people(r).calls)} calls) | ${(people(r).seconds / raw.seconds).toFixed(2)} | ${(r.seconds / soqlFetch.seconds).toFixed(2)} | ${mib(r.rssBefore)} → ${mib(r.peakRss)} | ${mib(r.heapBefore)} → ${mib(r.peakHeap)} |`,
  )
  .join('\n');
const pipelineRows = pipelines
  .map((r) => {
    const fetch = r.detail.fetchSeconds ?? Number.NaN;
    const rest = r.seconds - fetch;
    return `| ${label[r.mode]} | ${s(r.seconds)} | ${s(r.cpuSeconds)} | ${fmt(r.calls)} | ${s(fetch)} | ${s(rest)} (${Math.round((100 * rest) / r.seconds)}%) | ${mib(r.rssBefore)} → ${mib(r.peakRss)} | ${mib(r.heapBefore)} → ${mib(r.peakHeap)} |`;
  })
  .join('\n');
const streamRows = fetches
  .map((r) =>
    ['companies', 'people', 'events', 'outcomes', 'consent']
      .map((name) => {
        const st = r.detail[name] as StreamStats;
        return `| ${r.mode === 'soql' ? 'SOQL' : 'Bulk 2.0'} | ${name} | ${fmt(st.items)} | ${fmt(st.pages)} | ${fmt(st.calls)} | ${s(st.seconds)} |`;
      })
      .join('\n'),
  )
  .join('\n');
const first = counts.runs[0] as CallRun;
const callsAgree = [raw, ...fetches, ...pipelines].every(
  (r) => r.scope === 'raw' || r.limitInfoUsed === null || r.limitInfoUsed === r.calls,
);

const markdown = `## Salesforce (emulator, real jsforce)

Produced by \`npm run bench -- salesforce\` (bench/salesforce.ts, also the last part of \`npm run bench\`):
every figure below is from one run of ${totalSeconds.toFixed(0)} s, against the Salesforce emulator
(\`sandbox/salesforce\`) through jsforce 3.10.16 and our connector (\`connectors/salesforce\`) and pipeline
(\`app/pipeline\`), SQLite stores in temp dirs. The emulator runs in the same process as the code it
answers, so its work (SOQL, JSON and CSV encoding) is in every time below. API calls are counted by the
emulator's daily-allocation counter, the figure \`Sforce-Limit-Info: api-usage\` reports${
  callsAgree ? ' (and the connector read the same count from that header)' : ''
}.

- Machine: ${loadAtStart} at the start of the run; ${machine().replace(/^.*load average/, 'load average')} at the end
- Date: ${new Date().toISOString().slice(0, 10)}
- Data: bare-but-realistic Leads (name, email, company, title, industry, source, status, revenue,
  employees, country, city, website; 1 in 12 opted out of email) inserted straight into the emulator org's
  state (no API calls; the portal generator has no Salesforce mapping). No Tasks or Events.

### API calls

${fmt(counts.leads)} Leads, no conversions; \`scoreTenant\` and \`writeBackPending\` as the rescore and
write-back jobs run them, through the real connector. *Changed* = scores the write-back diff queued (a
score moved a point, or its tier, route or reasons changed); opted-out Leads get no score. *Minimum* =
changed / 200, the sObject Collections cap. *API calls* counts everything the run spent, the sweep's
SOQL included.

| run | changed | API calls | Collections calls | records per Collections call | API calls per 10,000 changed | minimum Collections calls |
| --- | --- | --- | --- | --- | --- | --- |
${callRows}

Target: 200 records per Collections call (the API's cap) and 0 calls for a rescore where nothing
changed.${
  first.collections > 0 && first.written / first.collections < 199
    ? ` **Below target in this run:** ${fmt(first.written / first.collections, 1)} records per Collections call.`
    : ''
}

### Backfill of ${fmt(LEADS)} Leads (child process each, emulator in it, manual clock)

The org holds ${fmt(LEADS)} Leads, 1 in 50 converted (each conversion adds an Account, a Contact and an
Opportunity, so ${fmt(people(soqlFetch).items)} people in all). Seeding took ${s(soqlFetch.seedSeconds)} s and is not in any
time. The emulator and connector share a manual clock, so Bulk 2.0 poll waits take no real time (the
emulator completes a job at once; a real org takes longer). *Peak* memory is sampled every 20 ms during
the read, after a GC; *before* already holds the seeded org (${fmt(LEADS)} records and their retained
change events) and the loaded modules.

**Baseline:** bare jsforce (\`conn.query\` + \`queryMore\`, no connector, no mapping) reading the same
Lead SELECT in the same kind of child process: ${s(raw.seconds)} s, ${fmt(raw.calls)} calls, ${fmt(raw.detail.records ?? 0)} records,
peak RSS ${mib(raw.peakRss)}.

Connector only: every page of the five streams the backfill job reads (companies, people, events,
outcomes, consent; people pages carry consent, so the consent stream answers one empty page with no
call), nothing stored.

| path | wall s | CPU s | API calls | people stream s | people ÷ bare jsforce | wall ÷ SOQL | RSS before → peak | heap before → peak |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${fetchRows}

Bulk API 2.0 read the same records with ${fmt(soqlFetch.calls / bulkFetch.calls, 1)}× fewer API calls than SOQL paging
(${fmt(bulkFetch.calls)} vs ${fmt(soqlFetch.calls)}) in ${(bulkFetch.seconds / soqlFetch.seconds).toFixed(2)}× its wall time and ${(bulkFetch.cpuSeconds / soqlFetch.cpuSeconds).toFixed(2)}× its CPU time. Each
Bulk source starts with one SOQL page in Id order (2,000 records, kept) whose \`totalSize\` decides;
the job then reads only the Ids after that page: it creates the job, polls it and reads CSV pages.

Fetch + ingest: the pipeline's \`backfill\` job on a real queue and worker (the same reads, each page
ingested into SQLite in the job's checkpoint transaction). *In connector calls* is the time the job
waited on the connector's list calls in this same run; the rest is ingest into SQLite and checkpoints.

| path | wall s | CPU s | API calls | of which in connector calls s | ingest, checkpoints and the rest s | RSS before → peak | heap before → peak |
| --- | --- | --- | --- | --- | --- | --- | --- |
${pipelineRows}

Per stream (connector only):

| path | stream | items | pages | API calls | s |
| --- | --- | --- | --- | --- | --- |
${streamRows}

CPU s is the child's user + system time (emulator included); when wall s is well above it, the machine
was busy with other work. Where the time goes: \`node --cpu-prof --import tsx bench/salesforce-backfill.ts
soql pipeline ${LEADS}\` writes a profile to open in Chrome DevTools.

### Change event → written score (real time, running runtime)

\`buildRuntime\` with its default worker (polling every 1 s when idle) and pipeline handlers connects an
org of ${fmt(cdc.leads)} Leads through \`/install/salesforce\` (PKCE web-server flow: fields, permission set,
backfill, change-event subscription over CometD through jsforce's Faye client); install to every score
written took ${s(cdc.installSeconds)} s. Then another client (a UI edit, no leadgate client id) changes one
Lead's title at a time, ${cdc.rate} per second for ${cdc.seconds} s, each Lead once. Latency runs from the
change's event on the emulator's bus to the emulator storing leadgate's write of \`Leadgate_Scored_At__c\`
for that Lead: CometD delivery, the runtime's change-event subscriber, the incremental job it queues,
rescore and write-back, each waiting for the worker.

| changes | written | median | p95 | max | API calls (all, during the run) | last written after |
| --- | --- | --- | --- | --- | --- | --- |
| ${fmt(cdc.changes)} | ${fmt(cdc.written)} | ${fmt(cdc.median)} ms | ${fmt(cdc.p95)} ms | ${fmt(cdc.max)} ms | ${fmt(cdc.calls)} | ${s(cdc.drainedSeconds)} s (changes made over ${s(cdc.offeredSeconds)} s) |

${fmt(cdc.calls / cdc.changes, 2)} API calls per change (reads of the changed records and Collections writes,
as the subscriber and the incremental, rescore and write-back jobs of the checked-out code make them). The
first change after install, on an idle runtime, took ${fmt(cdc.firstMs)} ms (the worker polls every 1 s when idle).
`;
writeSection('salesforce', markdown);
log(markdown);
