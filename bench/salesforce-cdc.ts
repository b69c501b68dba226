/**
 * Child process of bench/salesforce.ts: change event → written score through a running runtime, in
 * real time. `buildRuntime` with its default worker and pipeline handlers connects an emulator org
 * through /install/salesforce (PKCE web-server flow), which creates the fields, queues the backfill
 * and subscribes the org's change events (CometD through jsforce's Faye client). Once the backfill's
 * scores are written, another client (a UI edit, no leadgate client id) changes Lead titles at a
 * steady rate; latency runs from each change's event to the emulator storing leadgate's write of
 * `Leadgate_Scored_At__c` for that Lead. Prints one JSON line.
 * Usage: salesforce-cdc.ts <changes per second> <seconds>
 *
 * Its own process: it ends with process.exit, because the runtime's close does not stop the CDC
 * subscription (see the reply/notes), and jsforce's Faye client would keep retrying the closed emulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../app/kit/config/index.ts';
import { buildRuntime } from '../app/runtime/index.ts';
import { capturedLogger } from '../app/runtime/testdata/support.ts';
import { createMetrics } from '../app/kit/http/index.ts';
import { startSalesforceEmulator } from '../sandbox/salesforce/index.ts';
import { percentile } from './hubspot-common.ts';
import { seedLeads } from './salesforce-common.ts';

const rate = Number(process.argv[2] ?? '20');
const seconds = Number(process.argv[3] ?? '30');
const CLIENT_ID = 'leadgate-bench-app';
const CLIENT_SECRET = 'bench-secret';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text: string): void => {
  process.stderr.write(text + '\n');
};

const dir = mkdtempSync(join(tmpdir(), 'leadgate-bench-sf-cdc-'));
// @salesforce/core (imported by the runtime) writes under HOME: keep it in the temp dir.
process.env['HOME'] = dir;
process.env['SF_DISABLE_LOG_FILE'] = 'true';

const emulator = await startSalesforceEmulator();
const org = emulator.createOrg({ dailyApiLimit: 10_000_000 });
const changes = rate * seconds;
// The changed Leads start as students and become CEOs: a move the write-back diff cannot skip.
const total = changes + 1 + 400;
const ids = seedLeads(org, total, 50);
const targets = ids.filter((_, i) => i % 12 !== 0 && i % 50 !== 1);
for (const id of targets.slice(0, changes + 1)) org.update('Lead', id, { Title: 'Student' });

const runtime = await buildRuntime(loadConfig({ LEADGATE_DATA_DIR: dir, PORT: '0' }), {
  logger: capturedLogger().logger,
  metrics: createMetrics(),
  salesforce: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, loginUrl: emulator.url },
});
emulator.registerConnectedApp({
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  redirectUris: [`${runtime.urls.base}/install/salesforce/callback`],
});

// Every change event of the org, read as the emulator publishes it (real clock).
const events = org.changeEvents();
let scanned = 0;
const changedAt = new Map<string, number>();
const writtenAt = new Map<string, number>();
const own = `client=${CLIENT_ID}`;
const scan = (): void => {
  for (; scanned < events.length; scanned++) {
    const e = events[scanned];
    if (e === undefined) continue;
    const h = e.payload.ChangeEventHeader;
    if (h.entityName !== 'Lead' || h.changeType !== 'UPDATE') continue;
    for (const id of h.recordIds) {
      if (h.changeOrigin.includes(own) && h.changedFields.includes('Leadgate_Scored_At__c')) {
        const at = changedAt.get(id);
        if (at !== undefined && !writtenAt.has(id) && e.publishedAt >= at) writtenAt.set(id, e.publishedAt);
      } else if (!h.changeOrigin.includes(own) && h.changedFields.includes('Title')) {
        // The event of our change (not the seeding's earlier one) carries the emulator's commit time.
        const at = changedAt.get(id);
        if (at !== undefined && !writtenAt.has(id) && e.publishedAt >= at) changedAt.set(id, e.publishedAt);
      }
    }
  }
};
const waitFor = async (what: string, done: () => boolean, limitMs: number): Promise<void> => {
  const until = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};
const unwritten = (): number =>
  org.query(
    'SELECT Id FROM Lead WHERE Leadgate_Scored_At__c = null AND IsConverted = false AND HasOptedOutOfEmail = false',
  ).length;
const change = (id: string): void => {
  changedAt.set(id, Date.now());
  org.update('Lead', id, { Title: 'Chief Executive Officer' });
};

try {
  const installStarted = Date.now();
  const start = await fetch(`${runtime.urls.base}/install/salesforce`, { redirect: 'manual' });
  const approved = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  const callback = await fetch(approved.headers.get('location') ?? '');
  if (callback.status !== 200) throw new Error(`install failed: ${callback.status} ${await callback.text()}`);
  log(`cdc: waiting for the backfill of ${total} Leads to be scored and written …`);
  await waitFor('the backfill write-back', () => unwritten() === 0, 180_000);
  const installSeconds = (Date.now() - installStarted) / 1000;
  // The first change shows the subscription is live (and how long a change waits when all is idle).
  const warm = targets[changes] as string;
  change(warm);
  await waitFor(
    'the first change-event write',
    () => {
      scan();
      return writtenAt.has(warm);
    },
    60_000,
  );
  const firstMs = (writtenAt.get(warm) as number) - (changedAt.get(warm) as number);
  changedAt.clear();
  writtenAt.clear();
  log(`cdc: ${rate} changes/s for ${seconds} s …`);
  const usageBefore = org.apiUsage().used;
  const begin = Date.now();
  // Change number i is made at begin + i / rate: a steady rate, each Lead once.
  for (let i = 0; i < changes; i++) {
    await sleep(Math.max(0, begin + (i * 1000) / rate - Date.now()));
    change(targets[i] as string);
    if (i % rate === 0) scan();
  }
  const offeredSeconds = (Date.now() - begin) / 1000;
  await waitFor(
    'the last score',
    () => {
      scan();
      return writtenAt.size >= changedAt.size;
    },
    120_000,
  ).catch((e: unknown) => {
    log(String(e));
  });
  const drainedSeconds = (Date.now() - begin) / 1000;
  const latencies = [...changedAt].flatMap(([id, at]) => {
    const w = writtenAt.get(id);
    return w === undefined ? [] : [w - at];
  });
  const jobs = await runtime.store.countJobs(
    (await runtime.store.findTenantByExternalId('salesforce', org.id))?.id ?? '',
  );
  process.stdout.write(
    JSON.stringify({
      rate,
      seconds,
      leads: total,
      installSeconds,
      firstMs,
      changes: changedAt.size,
      written: latencies.length,
      median: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: Math.max(...latencies),
      offeredSeconds,
      drainedSeconds,
      calls: org.apiUsage().used - usageBefore,
      jobs,
    }) + '\n',
  );
} finally {
  await runtime.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
