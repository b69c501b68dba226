import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../types.ts';
import { startFixture, type Fixture } from '../../test/salesforce-fixture.ts';
import { PERMISSION_SET, SCORE_FIELDS } from './fields.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.emulator.close();
});

const names = SCORE_FIELDS.map((f) => f.name).join(', ');

describe('ensureSchema', () => {
  it('creates the fields, the permission set and its assignment, and leaves them queryable', async () => {
    expect(() => fx.org.query(`SELECT Id, ${names} FROM Lead`)).toThrow(/Leadgate_Score__c|No such column/);
    await fx.connector().ensureSchema();
    expect(fx.org.query(`SELECT Id, ${names} FROM Lead`)).toEqual([]);
    expect(fx.org.query(`SELECT Id, ${names} FROM Contact`)).toEqual([]);
    const [ps] = fx.org.query(`SELECT Id FROM PermissionSet WHERE Name = '${PERMISSION_SET.Name}'`);
    expect(
      fx.org.query(`SELECT Id FROM FieldPermissions WHERE ParentId = '${String(ps?.['Id'])}'`),
    ).toHaveLength(18);
    expect(
      fx.org.query(`SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${fx.org.userId}'`),
    ).toHaveLength(1);
  });

  it('is idempotent: a second run creates nothing and costs only the look-ups', async () => {
    const connector = fx.connector();
    const creates = fx.countRequests(
      'POST',
      /\/(tooling\/sobjects\/CustomField|sobjects\/|composite\/sobjects)/,
    );
    await connector.ensureSchema();
    const firstRunCreates = creates();
    expect(firstRunCreates).toBe(18 + 1 + 1 + 1); // fields, permission set, FieldPermissions batch, assignment
    const before = fx.org.apiUsage().used;
    await connector.ensureSchema();
    expect(creates()).toBe(firstRunCreates);
    // Tooling query, permission set, field permissions, userinfo (unmetered), assignment, 2 verify queries.
    expect(fx.org.apiUsage().used - before).toBe(6);
    expect(
      fx.org.query(`SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${fx.org.userId}'`),
    ).toHaveLength(1);
  });

  it('succeeds for two concurrent runs (DUPLICATE_VALUE and duplicate rows are fine)', async () => {
    await Promise.all([fx.connector().ensureSchema(), fx.connector().ensureSchema()]);
    expect(fx.org.query(`SELECT Id, ${names} FROM Lead`)).toEqual([]);
    expect(fx.org.query(`SELECT Id FROM PermissionSet WHERE Name = '${PERMISSION_SET.Name}'`)).toHaveLength(
      1,
    );
    expect(
      fx.org.query(`SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${fx.org.userId}'`),
    ).toHaveLength(1);
  });

  it('fails with forbidden, after waiting, when the fields stay unqueryable', async () => {
    // The permission set goes to another user, so the integration user's SOQL keeps answering INVALID_FIELD.
    const other = fx.org.createUser('someone.else@example.com');
    const error = await fx
      .connector({ integrationUserId: other, verifyWaitsMs: [5, 7] })
      .ensureSchema()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'forbidden', details: { vendorCode: 'INVALID_FIELD' } });
    expect(fx.sleeps).toEqual([5, 7]);
  });
});
