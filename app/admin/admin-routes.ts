import express, { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { JSONSchemaType } from 'ajv';
import {
  generateApiKey,
  principalOf,
  requireApiKey,
  requireTenantRole,
  ROLES,
  tenantIdParam,
} from '../kit/auth/index.ts';
import type { ApiKeyRepository, PolicyRepository, Role, TenantRepository } from '../kit/auth/index.ts';
import type { AuditAppend } from '../kit/audit/index.ts';
import type { Clock } from '../kit/clock.ts';
import type { Config } from '../kit/config/index.ts';
import type { Logger } from '../kit/logging/index.ts';
import type { JsonObject } from '../kit/store/index.ts';
import { DEFAULT_POLICY, InvalidPolicyError, parsePolicy } from '../../scoring/index.ts';
import type { DecisionPolicy } from '../../scoring/index.ts';
import { HttpError, bodyValidator, requireJsonBody } from '../kit/http/index.ts';

interface NewApiKeyBody {
  role: Role;
  label: string;
}

const parseNewApiKey = bodyValidator<NewApiKeyBody>({
  type: 'object',
  additionalProperties: false,
  required: ['role', 'label'],
  properties: {
    role: { type: 'string', enum: [...ROLES] },
    label: { type: 'string', minLength: 1, maxLength: 100 },
  },
} satisfies JSONSchemaType<NewApiKeyBody>);

const API = '/api/v1';

/** What the admin API needs of the store: API keys, tenants and policies. */
export type AdminStore = ApiKeyRepository & TenantRepository & PolicyRepository;

export interface AdminRouteDeps {
  readonly config: Pick<Config, 'maxBodyBytes'>;
  readonly store: AdminStore;
  readonly clock: Clock;
  readonly audit: { readonly append: AuditAppend };
  readonly logger: Logger;
}

/** scoring/ owns the policy schema and its cross-field rules; here its problems become a 400. */
function policyFromBody(body: unknown): DecisionPolicy {
  try {
    return parsePolicy(body);
  } catch (error) {
    if (error instanceof InvalidPolicyError) {
      throw new HttpError(
        'validation_failed',
        `Validation failed: ${error.problems.slice(0, 5).join('; ')}.`,
      );
    }
    throw error;
  }
}

/**
 * Tenant admin API under /api/v1: every route is tenant-scoped and behind an API key. Mounted at the
 * root with full paths (see routeLabel in app.ts). The key is checked before anything else, the body
 * included: an anonymous caller cannot make us parse a megabyte, and an unknown /api/v1 path without a
 * key is 401, not 404, so the API's shape cannot be probed anonymously.
 */
export function adminRoutes(deps: AdminRouteDeps): Router {
  const { store, clock, audit, logger } = deps;
  const router = Router();

  router.use(
    API,
    requireApiKey(store, {
      onRejected: (reason) => {
        logger.warn('api key rejected', { reason });
      },
    }),
    // raw-body (under express.json) binds its callback to the request's async context, so the request
    // id survives a body that arrives over many socket reads (tested in logging.int.test.ts).
    express.json({ limit: deps.config.maxBodyBytes, strict: true, type: 'application/json' }),
    (_req: Request, res: Response, next: NextFunction) => {
      // Tenant data and one-time keys must not sit in a shared or browser cache.
      res.set('Cache-Control', 'no-store');
      next();
    },
  );

  router.get(`${API}/tenants/:tenantId`, requireTenantRole('viewer'), async (req, res) => {
    const tenant = await store.getTenant(tenantIdParam(req));
    if (tenant === undefined) throw new HttpError('not_found');
    res.json({
      id: tenant.id,
      crm: tenant.crm,
      externalId: tenant.externalId,
      name: tenant.name,
      status: tenant.status,
      createdAt: new Date(tenant.createdAt).toISOString(),
    });
  });

  router.get(`${API}/tenants/:tenantId/policy`, requireTenantRole('viewer'), async (req, res) => {
    const record = await store.getPolicy(tenantIdParam(req));
    if (record === undefined) {
      res.json({ version: 0, isDefault: true, policy: DEFAULT_POLICY });
      return;
    }
    res.json({
      version: record.version,
      isDefault: false,
      policy: record.document,
      createdBy: record.createdBy,
      createdAt: new Date(record.createdAt).toISOString(),
    });
  });

  router.put(
    `${API}/tenants/:tenantId/policy`,
    requireTenantRole('admin'),
    requireJsonBody,
    async (req, res) => {
      const policy = policyFromBody(req.body);
      const tenantId = tenantIdParam(req);
      const actor = `apikey:${principalOf(req).keyId}`;
      const now = clock.now();
      const document: JsonObject = { ...policy };
      const record = await store.savePolicy(tenantId, document, actor, now);
      await audit.append({
        tenantId,
        actor,
        action: 'policy.update',
        subject: `policy:${record.version}`,
        details: { version: record.version, policy: document },
        at: now,
      });
      res.json({ version: record.version, isDefault: false, policy: record.document });
    },
  );

  router.post(
    `${API}/tenants/:tenantId/api-keys`,
    requireTenantRole('admin'),
    requireJsonBody,
    async (req, res) => {
      const body = parseNewApiKey(req.body);
      const tenantId = tenantIdParam(req);
      const actor = `apikey:${principalOf(req).keyId}`;
      const now = clock.now();
      const generated = generateApiKey();
      await store.putApiKey({
        tenantId,
        id: generated.keyId,
        keyHash: generated.keyHash,
        role: body.role,
        label: body.label,
        createdAt: now,
        revokedAt: null,
      });
      await audit.append({
        tenantId,
        actor,
        action: 'api_key.create',
        subject: `api_key:${generated.keyId}`,
        details: { role: body.role, label: body.label },
        at: now,
      });
      // The only time the key is ever shown; keep it out of any cache on the way.
      res
        .status(201)
        .set('Cache-Control', 'no-store')
        .json({
          id: generated.keyId,
          key: generated.key,
          role: body.role,
          label: body.label,
          createdAt: new Date(now).toISOString(),
        });
    },
  );

  return router;
}
