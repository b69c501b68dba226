import express, { Router } from 'express';
import type { JSONSchemaType } from 'ajv';
import { principalOf, requireApiKey, requireTenantRole, tenantIdParam } from '../kit/auth/index.ts';
import type { ApiKeyRepository } from '../kit/auth/index.ts';
// Leaf modules of app/server (no imports back into app/pipeline), so this is not an import cycle.
import { requireJsonBody, HttpError, bodyValidator } from '../kit/http/index.ts';
import type { AuditAppend } from '../kit/audit/index.ts';
import type { Clock } from '../kit/clock.ts';
import type { ScoreRecord, Store } from '../kit/store/index.ts';
import { replayFailedWrites } from '../pipeline/write-back.ts';

/**
 * The write-back dead letters (design §7): scores the CRM kept refusing, for the admin to see and,
 * once the cause is fixed in the CRM, replay. Listing is for analysts and up (it names persons and
 * CRM errors); replaying changes what is written to the CRM, so it is for admins and is audited.
 */

export interface DeadLetterRouteDeps {
  store: Store & ApiKeyRepository;
  clock: Clock;
  audit: { append: AuditAppend };
  maxBodyBytes: number;
}

interface ReplayBody {
  personIds?: string[];
}

/** Bounded like the list: a replay is one admin's decision about records they looked at. */
const MAX_PERSON_IDS = 1_000;

const parseReplay = bodyValidator<ReplayBody>({
  type: 'object',
  additionalProperties: false,
  properties: {
    personIds: {
      type: 'array',
      nullable: true,
      minItems: 1,
      maxItems: MAX_PERSON_IDS,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 200 },
    },
  },
} satisfies JSONSchemaType<ReplayBody>);

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

function limitParam(value: unknown): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = typeof value === 'string' && /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) {
    throw new HttpError(
      'validation_failed',
      `Validation failed: limit must be an integer from 1 to ${MAX_LIMIT}.`,
    );
  }
  return n;
}

/**
 * Write-back records attempts only in the reason it gives up with (`gave up after N attempts: …`);
 * a record the CRM refused outright (not found, invalid) was dead at its first refusal, so null there
 * means "not retried", not "unknown".
 */
export function attemptsOf(reason: string | null): number | null {
  const match = reason === null ? null : /^gave up after (\d+) attempts/.exec(reason);
  return match?.[1] === undefined ? null : Number(match[1]);
}

function view(s: ScoreRecord) {
  return {
    scoreId: s.id,
    personId: s.personId,
    objectType: s.objectType,
    reason: s.writeBackError,
    attempts: attemptsOf(s.writeBackError),
    failedAt: s.writeBackAt === null ? null : new Date(s.writeBackAt).toISOString(),
    scoredAt: new Date(s.scoredAt).toISOString(),
  };
}

const BASE = '/api/v1/tenants/:tenantId/dead-letters';

export function deadLetterRoutes(deps: DeadLetterRouteDeps): Router {
  const { store, clock, audit } = deps;
  const router = Router();
  router.use(BASE, requireApiKey(store), (_req, res, next) => {
    // Person ids and CRM error texts must not sit in a shared cache.
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get(BASE, requireTenantRole('analyst'), async (req, res) => {
    const limit = limitParam(req.query.limit);
    // One more than asked, to say whether there is more without a second count query.
    const failed = await store.listScoresByWriteBack(tenantIdParam(req), 'failed', limit + 1);
    res.json({ items: failed.slice(0, limit).map(view), limit, hasMore: failed.length > limit });
  });

  router.post(
    `${BASE}/replay`,
    requireTenantRole('admin'),
    requireJsonBody,
    express.json({ limit: deps.maxBodyBytes, strict: true, type: 'application/json' }),
    async (req, res) => {
      // No body at all means "replay everything"; express leaves req.body undefined then.
      const body = parseReplay(req.body ?? {});
      const tenantId = tenantIdParam(req);
      const actor = `apikey:${principalOf(req).keyId}`;
      const now = clock.now();
      // One transaction: the scores go back to pending together with the job that writes them, so a
      // crash cannot leave pending scores with no write-back coming.
      const { replayed, jobId } = await store.transaction(async (tx) => {
        const count = await replayFailedWrites(tx, tenantId, now, body.personIds);
        if (count === 0) return { replayed: 0, jobId: null };
        const { job } = await tx.enqueueJob(
          {
            tenantId,
            type: 'write-back',
            payload: { replay: true },
            idempotencyKey: `write-back:replay:${now}`,
          },
          now,
        );
        return { replayed: count, jobId: job.id };
      });
      await audit.append({
        tenantId,
        actor,
        action: 'dead_letters.replay',
        subject: jobId === null ? 'write-back' : `job:${jobId}`,
        details: { replayed, personIds: body.personIds ?? null },
        at: now,
      });
      res.status(202).json({ replayed, jobId });
    },
  );
  return router;
}
