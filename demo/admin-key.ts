import { generateApiKey, hashApiKey } from '../app/kit/auth/index.ts';
import { mergeSandboxFile, readSandboxFile } from '../app/runtime/index.ts';
import type { AuditAppend } from '../app/kit/audit/index.ts';
import type { EpochMs, Store } from '../app/kit/store/index.ts';

export interface DemoKeyDeps {
  readonly store: Pick<Store, 'findApiKeyByHash' | 'putApiKey'>;
  readonly dataDir: string;
  readonly audit: AuditAppend;
  readonly now: EpochMs;
}

/**
 * The admin key of the installed tenant, saved as sandbox.json "apiKey". The bootstrap key belongs to
 * the `sandbox` tenant, and the status route shows only a key's own tenant, so the demo needs its own.
 * The saved key is reused while it is a live admin key of this tenant.
 */
export async function ensureTenantAdminKey(
  deps: DemoKeyDeps,
  tenantId: string,
): Promise<{ apiKey: string; created: boolean }> {
  const saved = readSandboxFile(deps.dataDir).apiKey;
  if (typeof saved === 'string') {
    const record = await deps.store.findApiKeyByHash(hashApiKey(saved));
    if (record?.tenantId === tenantId && record.role === 'admin' && record.revokedAt === null) {
      return { apiKey: saved, created: false };
    }
  }
  const generated = generateApiKey();
  // File before store, as the bootstrap does: a failed store write leaves a key someone has.
  mergeSandboxFile(deps.dataDir, { tenantId, apiKey: generated.key });
  await deps.store.putApiKey({
    tenantId,
    id: generated.keyId,
    keyHash: generated.keyHash,
    role: 'admin',
    label: 'sandbox demo admin',
    createdAt: deps.now,
    revokedAt: null,
  });
  await deps.audit({
    tenantId,
    actor: 'system:sandbox-demo',
    action: 'apikey.create',
    subject: `apikey:${generated.keyId}`,
    details: { role: 'admin', label: 'sandbox demo admin' },
    at: deps.now,
  });
  return { apiKey: generated.key, created: true };
}
