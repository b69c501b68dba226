import type { ApiKeyRecord, JsonObject, PolicyRecord, Tenant } from '../store/index.ts';
import type { ApiKeyRepository, PolicyRepository, TenantRepository } from './repository.ts';

/**
 * In-memory tenants, API keys and policies for tests (and nothing else: it forgets on restart).
 * Behaves like the durable store on the calls it implements: policy versions count 1, 2, 3 per tenant.
 */
export class InMemoryAuthStore implements ApiKeyRepository, TenantRepository, PolicyRepository {
  readonly tenants = new Map<string, Tenant>();
  readonly keys = new Map<string, ApiKeyRecord>();
  readonly policies = new Map<string, PolicyRecord[]>();

  addTenant(tenant: Tenant): void {
    this.tenants.set(tenant.id, tenant);
  }

  getTenant(id: string): Promise<Tenant | undefined> {
    return Promise.resolve(this.tenants.get(id));
  }

  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return Promise.resolve([...this.keys.values()].find((k) => k.keyHash === keyHash));
  }

  putApiKey(key: ApiKeyRecord): Promise<void> {
    this.keys.set(`${key.tenantId}/${key.id}`, { ...key });
    return Promise.resolve();
  }

  getPolicy(tenantId: string, version?: number): Promise<PolicyRecord | undefined> {
    const versions = this.policies.get(tenantId) ?? [];
    return Promise.resolve(
      version === undefined ? versions.at(-1) : versions.find((p) => p.version === version),
    );
  }

  savePolicy(tenantId: string, document: JsonObject, createdBy: string, now: number): Promise<PolicyRecord> {
    const versions = this.policies.get(tenantId) ?? [];
    const record: PolicyRecord = {
      tenantId,
      version: versions.length + 1,
      document,
      createdBy,
      createdAt: now,
    };
    this.policies.set(tenantId, [...versions, record]);
    return Promise.resolve(record);
  }
}
