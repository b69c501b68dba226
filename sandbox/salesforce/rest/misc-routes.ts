import { Router } from 'express';
import { sendJson } from '../http.ts';
import { API_VERSIONS, ctx } from './context.ts';

const RELEASES: Record<string, string> = { '64.0': "Summer '25", '65.0': "Winter '26", '66.0': "Spring '26" };

/** `GET /services/data`: the version list, answered without a session and without `Sforce-Limit-Info`. */
export function versionsRouter(): Router {
  const router = Router();
  router.get(['/services/data', '/services/data/'], (_req, res) => {
    sendJson(
      res,
      200,
      API_VERSIONS.map((version) => ({
        label: RELEASES[version] ?? `v${version}`,
        url: `/services/data/v${version}`,
        version,
      })),
    );
  });
  return router;
}

export function resourcesRouter(): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const base = `/services/data/v${ctx(req).version}`;
    const names = ['sobjects', 'query', 'queryAll', 'limits', 'tooling', 'composite', 'jobs/query'];
    sendJson(res, 200, Object.fromEntries(names.map((n) => [n.replace('/q', 'Q'), `${base}/${n}`])));
  });

  // Every `/limits` entry is `{ Max, Remaining }` (salesforce.md §7).
  router.get('/limits', (req, res) => {
    const usage = ctx(req).org.apiUsage();
    sendJson(res, 200, {
      DailyApiRequests: { Max: usage.limit, Remaining: Math.max(0, usage.limit - usage.used) },
      DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 },
      DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
      DailyDeliveredPlatformEvents: { Max: 10000, Remaining: 10000 },
    });
  });
  return router;
}
