import { generateApiKey, hashApiKey, parseApiKey } from '../kit/auth/index.ts';
import type { AuditAppend } from '../kit/audit/index.ts';
import type { EpochMs, Store } from '../kit/store/index.ts';
import { StoreError } from '../kit/store/index.ts';
import { mergeSandboxFile, readSandboxFile, sandboxFilePath } from './sandbox-file.ts';

export const SANDBOX_TENANT_ID = 'sandbox';

export type SandboxStore = Pick<
  Store,
  'getTenant' | 'listTenants' | 'createTenant' | 'findApiKeyByHash' | 'putApiKey'
>;

export interface SandboxAccess {
  readonly tenantId: string;
  /** Admin key of the sandbox tenant, as saved in sandbox.json. */
  readonly apiKey: string;
  /**
   * created: a new key (show it once); reused: the saved key still works; restored: the saved key was
   * registered again in a store that did not know it (a wiped database, a fresh PostgreSQL schema).
   */
  readonly keySource: 'created' | 'reused' | 'restored';
  readonly file: string;
}

export interface SandboxDeps {
  readonly store: SandboxStore;
  readonly dataDir: string;
  readonly now: EpochMs;
  readonly audit: { readonly append: AuditAppend };
}

const ACTOR = 'system:bootstrap';

async function ensureTenant(deps: SandboxDeps): Promise<boolean> {
  const { store, now } = deps;
  if ((await store.getTenant(SANDBOX_TENANT_ID)) !== undefined) return true;
  // A store that already serves other tenants is not a fresh sandbox: invent nothing in it.
  if ((await store.listTenants()).length > 0) return false;
  try {
    await store.createTenant(
      { id: SANDBOX_TENANT_ID, crm: 'hubspot', externalId: 'sandbox', name: 'Sandbox' },
      now,
    );
  } catch (err) {
    // Another process starting on the same database created it first.
    if (err instanceof StoreError && err.code === 'conflict') return true;
    throw err;
  }
  await deps.audit.append({
    tenantId: SANDBOX_TENANT_ID,
    actor: ACTOR,
    action: 'tenant.create',
    subject: `tenant:${SANDBOX_TENANT_ID}`,
    details: { reason: 'sandbox bootstrap' },
    at: now,
  });
  return true;
}

async function registerKey(deps: SandboxDeps, keyId: string, key: string, action: string): Promise<void> {
  await deps.store.putApiKey({
    tenantId: SANDBOX_TENANT_ID,
    id: keyId,
    keyHash: hashApiKey(key),
    role: 'admin',
    label: 'sandbox admin',
    createdAt: deps.now,
    revokedAt: null,
  });
  await deps.audit.append({
    tenantId: SANDBOX_TENANT_ID,
    actor: ACTOR,
    action,
    subject: `apikey:${keyId}`,
    details: { role: 'admin', label: 'sandbox admin' },
    at: deps.now,
  });
}

/**
 * Sandbox mode's first-run convenience: a `sandbox` tenant and an admin API key saved in
 * `<dataDir>/sandbox.json`, so a developer can call the admin API without a CRM install. Later starts
 * reuse the saved key. Returns null when the store already has other tenants.
 */
export async function ensureSandboxAccess(deps: SandboxDeps): Promise<SandboxAccess | null> {
  // Read first: a broken or world-readable file stops the start before anything is written.
  const saved = readSandboxFile(deps.dataDir);
  if (!(await ensureTenant(deps))) return null;
  const file = sandboxFilePath(deps.dataDir);
  const savedKey = typeof saved.apiKey === 'string' ? saved.apiKey : undefined;
  const parsed = savedKey === undefined ? null : parseApiKey(savedKey);

  if (savedKey !== undefined && parsed !== null) {
    const record = await deps.store.findApiKeyByHash(hashApiKey(savedKey));
    if (record === undefined) {
      await registerKey(deps, parsed.keyId, savedKey, 'apikey.restore');
      return { tenantId: SANDBOX_TENANT_ID, apiKey: savedKey, keySource: 'restored', file };
    }
    // Any tenant's: the sandbox demo saves the key of the HubSpot tenant it installed, which is the
    // one worth keeping (the status route only shows a key's own tenant).
    if (record.revokedAt === null && record.role === 'admin') {
      return { tenantId: record.tenantId, apiKey: savedKey, keySource: 'reused', file };
    }
    // Revoked or demoted: fall through and issue a fresh one.
  }

  const generated = generateApiKey();
  // File before store: if the store write fails, the next start finds the key and restores it,
  // instead of a key that works but that nobody has.
  mergeSandboxFile(deps.dataDir, { tenantId: SANDBOX_TENANT_ID, apiKey: generated.key });
  await registerKey(deps, generated.keyId, generated.key, 'apikey.create');
  return { tenantId: SANDBOX_TENANT_ID, apiKey: generated.key, keySource: 'created', file };
}
