import { ConnectorError } from '../types.ts';
import type { SalesforceClient } from './client.ts';
import { mapSaveError, type SaveError } from './errors.ts';
import { PERMISSION_SET, SCORE_FIELDS, SCORED_OBJECTS } from './fields.ts';
import type { Pager } from './paging.ts';

interface SaveResult {
  id?: string;
  success: boolean;
  errors: SaveError[];
}

export interface SchemaDeps {
  client: SalesforceClient;
  pager: Pager;
  apiVersion: string;
  /** The integration user to grant the permission set to; read from /oauth2/userinfo when absent. */
  integrationUserId?: string;
  sleep: (ms: number) => Promise<void>;
  /** Waits before re-checking that new fields are queryable (metadata can lag behind the create). */
  verifyWaitsMs: readonly number[];
}

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Every `Object.Field` of the write-back contract. */
const allFieldKeys = (): string[] => SCORED_OBJECTS.flatMap((o) => SCORE_FIELDS.map((f) => `${o}.${f.name}`));

/** Tooling `CustomField` creates for the fields not there yet; DUPLICATE_VALUE means another run won. */
async function createFields(deps: SchemaDeps): Promise<void> {
  const base = `/services/data/v${deps.apiVersion}`;
  const existing = await deps.client.get<{ records: { DeveloperName: string; TableEnumOrId: string }[] }>(
    `${base}/tooling/query?q=${encodeURIComponent(
      `SELECT Id, DeveloperName, TableEnumOrId FROM CustomField WHERE TableEnumOrId IN (${SCORED_OBJECTS.map(quote).join(', ')})`,
    )}`,
  );
  const have = new Set(existing.body.records.map((r) => `${r.TableEnumOrId}.${r.DeveloperName}__c`));
  for (const object of SCORED_OBJECTS) {
    for (const field of SCORE_FIELDS) {
      const fullName = `${object}.${field.name}`;
      if (have.has(fullName)) continue;
      try {
        await deps.client.send('POST', `${base}/tooling/sobjects/CustomField`, {
          FullName: fullName,
          Metadata: field.metadata,
        });
      } catch (error) {
        // The Tooling API answers a second create of a field with DUPLICATE_VALUE (salesforce.md §10.8).
        if (!(error instanceof ConnectorError && error.details.vendorCode === 'DUPLICATE_VALUE')) throw error;
      }
    }
  }
}

async function findOrCreate(
  deps: SchemaDeps,
  soql: string,
  object: string,
  record: Record<string, unknown>,
): Promise<string> {
  const base = `/services/data/v${deps.apiVersion}`;
  const find = async (): Promise<string | undefined> => {
    const [found] = await deps.pager.queryAll(soql);
    const id = found?.['Id'];
    return typeof id === 'string' ? id : undefined;
  };
  const existing = await find();
  if (existing !== undefined) return existing;
  try {
    const { body } = await deps.client.send<{ id: string }>('POST', `${base}/sobjects/${object}`, record);
    return body.id;
  } catch (error) {
    if (!(error instanceof ConnectorError && error.code === 'conflict')) throw error;
    const raced = await find();
    if (raced === undefined) throw error;
    return raced;
  }
}

/** FieldPermissions rows (read + edit) for every field, created or fixed in one Collections call each. */
async function grantFields(deps: SchemaDeps, permissionSetId: string): Promise<void> {
  const base = `/services/data/v${deps.apiVersion}`;
  const rows = await deps.pager.queryAll(
    `SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = ${quote(permissionSetId)}`,
  );
  const byField = new Map(rows.map((r) => [String(r['Field']).toLowerCase(), r]));
  const create: Record<string, unknown>[] = [];
  const fix: Record<string, unknown>[] = [];
  for (const key of allFieldKeys()) {
    const row = byField.get(key.toLowerCase());
    const [sobject] = key.split('.');
    if (row === undefined) {
      create.push({
        attributes: { type: 'FieldPermissions' },
        ParentId: permissionSetId,
        SobjectType: sobject,
        Field: key,
        PermissionsRead: true,
        PermissionsEdit: true,
      });
    } else if (row['PermissionsRead'] !== true || row['PermissionsEdit'] !== true) {
      fix.push({
        attributes: { type: 'FieldPermissions' },
        id: row['Id'],
        PermissionsRead: true,
        PermissionsEdit: true,
      });
    }
  }
  // 18 rows fit one sObject Collections call (≤ 200 records, salesforce.md §3).
  for (const [method, records] of [
    ['POST', create],
    ['PATCH', fix],
  ] as const) {
    if (records.length === 0) continue;
    const { body } = await deps.client.send<SaveResult[]>(method, `${base}/composite/sobjects`, {
      allOrNone: false,
      records,
    });
    for (const r of body) {
      const first = r.errors[0];
      if (r.success || first === undefined) continue;
      const error = mapSaveError(first);
      if (error.code !== 'conflict') throw error;
    }
  }
}

async function integrationUser(deps: SchemaDeps): Promise<string> {
  if (deps.integrationUserId !== undefined) return deps.integrationUserId;
  const { body } = await deps.client.get<{ user_id?: string }>('/services/oauth2/userinfo');
  if (typeof body.user_id !== 'string')
    throw new ConnectorError('unknown', 'userinfo answered without user_id');
  return body.user_id;
}

/** A SOQL over every new field on each object: INVALID_FIELD until field-level security applies. */
async function verifyQueryable(deps: SchemaDeps): Promise<void> {
  const names = SCORE_FIELDS.map((f) => f.name).join(', ');
  for (let attempt = 0; ; attempt += 1) {
    try {
      for (const object of SCORED_OBJECTS)
        await deps.pager.query({ soql: `SELECT Id, ${names} FROM ${object} LIMIT 1` });
      return;
    } catch (error) {
      const invalidField = error instanceof ConnectorError && error.details.vendorCode === 'INVALID_FIELD';
      if (!invalidField) throw error;
      const wait = deps.verifyWaitsMs[attempt];
      if (wait === undefined) {
        throw new ConnectorError(
          'forbidden',
          `leadgate fields are not queryable after granting permission set ${PERMISSION_SET.Name}: ${error.message}`,
          error.details,
        );
      }
      await deps.sleep(wait);
    }
  }
}

/**
 * Custom fields of design §7 on Lead and Contact (Tooling API), a permission set granting read and
 * edit on them, its assignment to the integration user, then a SOQL over the fields: new custom
 * fields are invisible, even to the API, until field-level security grants them (salesforce.md §6).
 * Idempotent: every step looks before it creates, and a duplicate from a concurrent run is fine.
 */
export async function ensureSchema(deps: SchemaDeps): Promise<void> {
  await createFields(deps);
  const permissionSetId = await findOrCreate(
    deps,
    `SELECT Id FROM PermissionSet WHERE Name = ${quote(PERMISSION_SET.Name)}`,
    'PermissionSet',
    { ...PERMISSION_SET, Description: 'Read and edit on the leadgate score fields (Lead, Contact).' },
  );
  await grantFields(deps, permissionSetId);
  const userId = await integrationUser(deps);
  await findOrCreate(
    deps,
    `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = ${quote(userId)} AND PermissionSetId = ${quote(permissionSetId)}`,
    'PermissionSetAssignment',
    { AssigneeId: userId, PermissionSetId: permissionSetId },
  );
  await verifyQueryable(deps);
}
