import { randomUUID } from 'node:crypto';
import { formatDateTimeZ, utcDayKey, type Clock } from './clock.ts';
import { ChangeEventBus, channelFor, type ChangeType } from './cdc/bus.ts';
import { RecordError, SalesforceApiError } from './errors.ts';
import { normalizeId, type IdFactory } from './ids.ts';
import { standardObjects } from './schema/standard-objects.ts';
import type { FieldDef, FieldValue, ObjectDef } from './schema/types.ts';
import { normalizeValue, validateValue } from './schema/values.ts';

export interface StoredRecord {
  type: string;
  values: Record<string, FieldValue>;
}

/** Who writes and how: the origin lands in the change event's `changeOrigin`. */
export interface WriteContext {
  userId: string;
  changeOrigin: string;
  transactionKey?: string;
}

/** A validated write, applied later so `allOrNone` can refuse a whole batch without side effects. */
export interface PlannedWrite {
  kind: 'create' | 'update';
  object: ObjectDef;
  id: string;
  values: Record<string, FieldValue>;
}

export interface ApiUsage {
  used: number;
  limit: number;
}

const lower = (s: string): string => s.toLowerCase();

interface ObjectEntry {
  def: ObjectDef;
  fieldsByLower: Map<string, FieldDef>;
}

/** One Salesforce org: schema, records, users, field-level security, API allocation and event bus. */
export class Org {
  readonly bus: ChangeEventBus;
  private readonly objects = new Map<string, ObjectEntry>();
  private readonly records = new Map<string, StoredRecord>();
  private readonly byType = new Map<string, Set<string>>();
  /** `Object.Field` keys readable/editable by everyone (seeded fields), besides permission sets. */
  private readonly openFields = new Set<string>();
  private flsCache = new Map<string, { read: Set<string>; edit: Set<string> }>();
  private usage: { used: number; day: string };
  private commitNumber = 0;
  private sequence = 0;
  dailyApiLimit: number;

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly ids: IdFactory,
    private readonly clock: Clock,
    dailyApiLimit: number,
  ) {
    this.bus = new ChangeEventBus(clock);
    this.dailyApiLimit = dailyApiLimit;
    this.usage = { used: 0, day: utcDayKey(clock()) };
    for (const def of standardObjects()) this.registerObject(def);
  }

  // ---------- schema ----------

  private registerObject(def: ObjectDef): void {
    const fieldsByLower = new Map(def.fields.map((f) => [lower(f.name), f]));
    this.objects.set(lower(def.name), { def, fieldsByLower });
    this.byType.set(def.name, new Set());
  }

  object(name: string): ObjectDef | undefined {
    return this.objects.get(lower(name))?.def;
  }

  field(objectName: string, fieldName: string): FieldDef | undefined {
    return this.objects.get(lower(objectName))?.fieldsByLower.get(lower(fieldName));
  }

  objectNames(): string[] {
    return [...this.objects.values()].map((o) => o.def.name);
  }

  addCustomField(objectName: string, def: FieldDef, openToAll = false): void {
    const entry = this.objects.get(lower(objectName));
    if (!entry)
      throw new SalesforceApiError(400, 'INVALID_TYPE', `sObject type '${objectName}' is not supported.`);
    entry.def.fields.push(def);
    entry.fieldsByLower.set(lower(def.name), def);
    if (openToAll) this.openFields.add(`${entry.def.name}.${def.name}`);
  }

  // ---------- field-level security ----------

  private grantsFor(userId: string): { read: Set<string>; edit: Set<string> } {
    const cached = this.flsCache.get(userId);
    if (cached) return cached;
    const sets = new Set<string>();
    for (const a of this.all('PermissionSetAssignment')) {
      if (a.values['AssigneeId'] === userId && typeof a.values['PermissionSetId'] === 'string') {
        sets.add(a.values['PermissionSetId']);
      }
    }
    const read = new Set<string>();
    const edit = new Set<string>();
    for (const fp of this.all('FieldPermissions')) {
      const parent = fp.values['ParentId'];
      const fieldKey = fp.values['Field'];
      if (typeof parent !== 'string' || typeof fieldKey !== 'string' || !sets.has(parent)) continue;
      if (fp.values['PermissionsRead'] === true) read.add(lower(fieldKey));
      if (fp.values['PermissionsEdit'] === true) edit.add(lower(fieldKey));
    }
    const grants = { read, edit };
    this.flsCache.set(userId, grants);
    return grants;
  }

  canRead(userId: string, object: ObjectDef, field: FieldDef): boolean {
    if (!field.needsFls) return true;
    const key = `${object.name}.${field.name}`;
    return this.openFields.has(key) || this.grantsFor(userId).read.has(lower(key));
  }

  canEdit(userId: string, object: ObjectDef, field: FieldDef): boolean {
    if (!field.needsFls) return true;
    const key = `${object.name}.${field.name}`;
    return this.openFields.has(key) || this.grantsFor(userId).edit.has(lower(key));
  }

  /** The field as the user sees it: undefined when it does not exist or is hidden by FLS. */
  visibleField(userId: string, object: ObjectDef, name: string): FieldDef | undefined {
    const f = this.field(object.name, name);
    return f && this.canRead(userId, object, f) ? f : undefined;
  }

  visibleFields(userId: string, object: ObjectDef): FieldDef[] {
    return object.fields.filter((f) => this.canRead(userId, object, f));
  }

  // ---------- API allocation ----------

  /** Counts one call against the daily allocation, or refuses it with REQUEST_LIMIT_EXCEEDED. */
  consumeApiCall(): ApiUsage {
    this.rollDay();
    if (this.usage.used >= this.dailyApiLimit) {
      throw new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    this.usage.used += 1;
    return this.apiUsage();
  }

  apiUsage(): ApiUsage {
    this.rollDay();
    return { used: this.usage.used, limit: this.dailyApiLimit };
  }

  setApiUsage(used: number): void {
    this.rollDay();
    this.usage.used = used;
  }

  // Salesforce counts a rolling 24 hours; the emulator resets at the UTC day boundary, which is
  // what a resume-the-next-day test needs and is simpler to reason about.
  private rollDay(): void {
    const day = utcDayKey(this.clock());
    if (day !== this.usage.day) this.usage = { used: 0, day };
  }

  // ---------- records ----------

  get(id: string): StoredRecord | undefined {
    const id18 = normalizeId(id);
    return id18 === undefined ? undefined : this.records.get(id18);
  }

  *all(type: string): Iterable<StoredRecord> {
    const ids = this.byType.get(this.object(type)?.name ?? type);
    if (!ids) return;
    for (const id of ids) {
      const rec = this.records.get(id);
      if (rec) yield rec;
    }
  }

  count(type: string): number {
    return this.byType.get(this.object(type)?.name ?? type)?.size ?? 0;
  }

  /** Resolves an id for `object`, as update/get need it: malformed, wrong type, missing or deleted. */
  resolveId(object: ObjectDef, raw: unknown): StoredRecord {
    const id = typeof raw === 'string' ? normalizeId(raw) : undefined;
    if (id === undefined || !id.startsWith(object.keyPrefix)) {
      throw new RecordError(
        'MALFORMED_ID',
        `${object.label} ID: id value of incorrect type: ${String(raw)}`,
        ['Id'],
      );
    }
    const rec = this.records.get(id);
    if (!rec) throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
    if (rec.values['IsDeleted'] === true) throw new RecordError('ENTITY_IS_DELETED', 'entity is deleted', []);
    return rec;
  }

  /**
   * Checks a create's or update's field values (already deserialized) against the schema, FLS
   * and references. Unknown or hidden fields were refused earlier, at deserialization.
   */
  plan(
    kind: 'create' | 'update',
    object: ObjectDef,
    input: Record<string, FieldValue>,
    userId: string,
    id?: string,
  ): PlannedWrite {
    if (kind === 'update' && object.name === 'Lead' && id !== undefined) this.checkNotConverted(id);
    const values: Record<string, FieldValue> = {};
    const readOnly: string[] = [];
    for (const [rawName, value] of Object.entries(input)) {
      const f = this.field(object.name, rawName);
      if (!f)
        throw new RecordError(
          'INVALID_FIELD',
          `No such column '${rawName}' on sobject of type ${object.name}`,
          [rawName],
        );
      const writable = kind === 'create' ? f.createable : f.updateable;
      if (!writable || !this.canEdit(userId, object, f)) {
        readOnly.push(f.name);
        continue;
      }
      const problem = validateValue(f, value) ?? this.checkReference(f, value);
      if (problem) throw problem;
      values[f.name] = normalizeValue(f, value);
    }
    if (readOnly.length > 0) {
      throw new RecordError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        readOnly,
      );
    }
    if (kind === 'create') {
      const missing = object.fields
        .filter(
          (f) => f.required === true && f.defaultValue === undefined && (values[f.name] ?? null) === null,
        )
        .map((f) => f.name);
      if (object.name === 'Event' && !this.eventTimed(values))
        missing.push('DurationInMinutes', 'ActivityDateTime');
      if (missing.length > 0) {
        throw new RecordError(
          'REQUIRED_FIELD_MISSING',
          `Required fields are missing: [${missing.join(', ')}]`,
          missing,
        );
      }
      this.checkSetupRules(object, values);
    }
    return { kind, object, id: id ?? this.ids.next(object.keyPrefix), values };
  }

  /**
   * A converted Lead is read-only: any update, by any field, answers CANNOT_UPDATE_CONVERTED_LEAD
   * "cannot reference converted lead" (Help article 000384333; only ConvertedAccountId/ContactId
   * may be referenced afterwards). Orgs can grant "View and Edit Converted Leads"; the emulated
   * integration user never has it. Checked before the fields, as one answer for the whole record.
   */
  private checkNotConverted(id: string): void {
    if (this.records.get(id)?.values['IsConverted'] === true) {
      throw new RecordError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', []);
    }
  }

  private eventTimed(v: Record<string, FieldValue>): boolean {
    const hasStartEnd = typeof v['StartDateTime'] === 'number' && typeof v['EndDateTime'] === 'number';
    const hasActivity =
      typeof v['ActivityDateTime'] === 'number' && typeof v['DurationInMinutes'] === 'number';
    return hasStartEnd || hasActivity;
  }

  private checkReference(f: FieldDef, value: FieldValue): RecordError | undefined {
    if (f.type !== 'reference' || value === null) return undefined;
    const id = typeof value === 'string' ? normalizeId(value) : undefined;
    if (id === undefined)
      return new RecordError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${String(value)}`, [
        f.name,
      ]);
    const targets = (f.referenceTo ?? []).map((t) => this.object(t)?.keyPrefix);
    if (!targets.some((p) => p !== undefined && id.startsWith(p))) {
      return new RecordError(
        'FIELD_INTEGRITY_EXCEPTION',
        `${f.label}: id value of incorrect type: ${value}`,
        [f.name],
      );
    }
    const target = this.records.get(id);
    if (!target || target.values['IsDeleted'] === true) {
      return new RecordError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [f.name]);
    }
    return undefined;
  }

  /** Uniqueness and consistency rules of the permission objects. */
  private checkSetupRules(object: ObjectDef, v: Record<string, FieldValue>): void {
    const duplicate = (existing: StoredRecord): RecordError =>
      new RecordError(
        'DUPLICATE_VALUE',
        `duplicate value found: ${object.name === 'PermissionSet' ? 'Name' : '<unknown>'} duplicates value on record with id: ${String(existing.values['Id'])}`,
        [],
      );
    if (object.name === 'PermissionSet') {
      const name = String(v['Name']);
      if (!/^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/.test(name) || name.endsWith('_')) {
        throw new RecordError('FIELD_INTEGRITY_EXCEPTION', `API Name: invalid value ${name}`, ['Name']);
      }
      for (const ps of this.all('PermissionSet'))
        if (lower(String(ps.values['Name'])) === lower(name)) throw duplicate(ps);
    }
    if (object.name === 'FieldPermissions') {
      const fieldKey = String(v['Field']);
      const [objName = '', fieldName = ''] = fieldKey.split('.', 2);
      const target = this.field(objName, fieldName);
      if (!target || lower(objName) !== lower(String(v['SobjectType'])) || !target.needsFls) {
        throw new RecordError(
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `Field Name: bad value for restricted picklist field: ${fieldKey}`,
          ['Field'],
        );
      }
      if (v['PermissionsEdit'] === true && v['PermissionsRead'] !== true) {
        throw new RecordError('FIELD_INTEGRITY_EXCEPTION', 'Permission Edit depends on permission(s): Read', [
          'PermissionsEdit',
        ]);
      }
      for (const fp of this.all('FieldPermissions')) {
        if (fp.values['ParentId'] === v['ParentId'] && lower(String(fp.values['Field'])) === lower(fieldKey))
          throw duplicate(fp);
      }
    }
    if (object.name === 'PermissionSetAssignment') {
      for (const a of this.all('PermissionSetAssignment')) {
        if (
          a.values['AssigneeId'] === v['AssigneeId'] &&
          a.values['PermissionSetId'] === v['PermissionSetId']
        ) {
          throw duplicate(a);
        }
      }
    }
  }

  /** Applies planned writes as one transaction: maintains system fields, emits change events. */
  apply(writes: PlannedWrite[], ctx: WriteContext): void {
    const now = this.clock();
    const transactionKey = ctx.transactionKey ?? randomUUID();
    this.commitNumber += 1;
    for (const w of writes) {
      if (w.kind === 'create') this.applyCreate(w, ctx, now, transactionKey);
      else this.applyUpdate(w, ctx, now, transactionKey);
      if (w.object.name === 'FieldPermissions' || w.object.name === 'PermissionSetAssignment')
        this.flsCache = new Map();
    }
  }

  private applyCreate(w: PlannedWrite, ctx: WriteContext, now: number, transactionKey: string): void {
    const values: Record<string, FieldValue> = {};
    for (const f of w.object.fields) {
      if (f.defaultValue !== undefined) values[f.name] = f.defaultValue;
      else if (f.type === 'boolean') values[f.name] = false;
      else values[f.name] = null;
    }
    Object.assign(values, w.values, {
      Id: w.id,
      IsDeleted: false,
      CreatedDate: now,
      CreatedById: ctx.userId,
      LastModifiedDate: now,
      LastModifiedById: ctx.userId,
      SystemModstamp: now,
    });
    if ('OwnerId' in values && values['OwnerId'] === null) values['OwnerId'] = ctx.userId;
    this.derive(w.object.name, values);
    this.records.set(w.id, { type: w.object.name, values });
    this.byType.get(w.object.name)?.add(w.id);
    const changed = Object.keys(values).filter((k) => values[k] !== null && k !== 'Id');
    this.emit(w.object, [w.id], 'CREATE', values, changed, ctx, now, transactionKey);
  }

  private applyUpdate(w: PlannedWrite, ctx: WriteContext, now: number, transactionKey: string): void {
    const rec = this.records.get(w.id);
    if (!rec) return;
    const before = { ...rec.values };
    Object.assign(rec.values, w.values);
    this.derive(w.object.name, rec.values);
    const changed = Object.keys(rec.values).filter((k) => rec.values[k] !== before[k]);
    // Salesforce bumps LastModifiedDate and SystemModstamp on every save, even when nothing changed.
    Object.assign(rec.values, { LastModifiedDate: now, LastModifiedById: ctx.userId, SystemModstamp: now });
    if (changed.length > 0) {
      this.emit(
        w.object,
        [w.id],
        'UPDATE',
        rec.values,
        [...changed, 'LastModifiedDate'],
        ctx,
        now,
        transactionKey,
      );
    }
  }

  /** Soft delete: the record stays for queryAll and answers ENTITY_IS_DELETED afterwards. */
  delete(object: ObjectDef, rawId: unknown, ctx: WriteContext): void {
    const rec = this.resolveId(object, rawId);
    const now = this.clock();
    Object.assign(rec.values, {
      IsDeleted: true,
      SystemModstamp: now,
      LastModifiedDate: now,
      LastModifiedById: ctx.userId,
    });
    this.commitNumber += 1;
    if (object.name === 'FieldPermissions' || object.name === 'PermissionSetAssignment')
      this.flsCache = new Map();
    this.emit(object, [String(rec.values['Id'])], 'DELETE', {}, [], ctx, now, randomUUID());
  }

  /** Fields Salesforce computes: Name, IsClosed/IsWon, event timing. */
  private derive(type: string, v: Record<string, FieldValue>): void {
    if (type === 'Lead' || type === 'Contact' || type === 'User') {
      v['Name'] = [v['FirstName'], v['LastName']].filter((p) => typeof p === 'string' && p !== '').join(' ');
    }
    if (type === 'Opportunity') {
      v['IsClosed'] = v['StageName'] === 'Closed Won' || v['StageName'] === 'Closed Lost';
      v['IsWon'] = v['StageName'] === 'Closed Won';
    }
    if (type === 'Task') v['IsClosed'] = v['Status'] === 'Completed';
    if (type === 'Event') {
      const start = v['StartDateTime'];
      const end = v['EndDateTime'];
      if (typeof start === 'number' && typeof end === 'number') {
        v['ActivityDateTime'] = start;
        v['DurationInMinutes'] = Math.round((end - start) / 60_000);
      } else if (typeof v['ActivityDateTime'] === 'number' && typeof v['DurationInMinutes'] === 'number') {
        v['StartDateTime'] = v['ActivityDateTime'];
        v['EndDateTime'] = v['ActivityDateTime'] + v['DurationInMinutes'] * 60_000;
      }
    }
  }

  private emit(
    object: ObjectDef,
    recordIds: string[],
    changeType: ChangeType,
    values: Record<string, FieldValue>,
    changedFields: string[],
    ctx: WriteContext,
    now: number,
    transactionKey: string,
  ): void {
    if (!object.changeEvents) return;
    // Change events never carry IsDeleted or SystemModstamp (salesforce.md §8.1).
    const skip = new Set(['Id', 'IsDeleted', 'SystemModstamp', 'Name']);
    const fields = changedFields.filter((f) => !skip.has(f));
    const payload: Record<string, unknown> = {};
    for (const name of fields) {
      const f = this.field(object.name, name);
      const v = values[name] ?? null;
      payload[name] = f?.type === 'datetime' && typeof v === 'number' ? formatDateTimeZ(v) : v;
    }
    this.sequence += 1;
    this.bus.publish({
      channel: channelFor(object.name),
      schema: `${object.keyPrefix}-change-event-schema`,
      payload: {
        ChangeEventHeader: {
          entityName: object.name,
          recordIds,
          changeType,
          changeOrigin: ctx.changeOrigin,
          transactionKey,
          sequenceNumber: this.sequence,
          commitTimestamp: now,
          commitNumber: this.commitNumber,
          commitUser: ctx.userId,
          changedFields: changeType === 'UPDATE' ? fields : [],
          nulledFields: changeType === 'UPDATE' ? fields.filter((f) => values[f] === null) : [],
          diffFields: [],
        },
        ...payload,
      },
    });
  }

  /** Lead conversion (done in Salesforce by convertLead, not REST): creates Account, Contact and optionally an Opportunity. */
  convertLead(
    leadId: string,
    ctx: WriteContext,
    options: { createOpportunity?: boolean; accountId?: string } = {},
  ): {
    accountId: string;
    contactId: string;
    opportunityId: string | null;
  } {
    const lead = this.resolveId(this.mustObject('Lead'), leadId);
    if (lead.values['IsConverted'] === true) {
      throw new RecordError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', []);
    }
    const v = lead.values;
    const writes: PlannedWrite[] = [];
    let accountId = options.accountId;
    if (accountId === undefined) {
      const account = this.plan(
        'create',
        this.mustObject('Account'),
        { Name: v['Company'] ?? 'Unknown' },
        ctx.userId,
      );
      writes.push(account);
      accountId = account.id;
    }
    const contact = this.plan(
      'create',
      this.mustObject('Contact'),
      {
        FirstName: v['FirstName'] ?? null,
        LastName: v['LastName'] ?? 'Unknown',
        Email: v['Email'] ?? null,
        Title: v['Title'] ?? null,
      },
      ctx.userId,
    );
    writes.push(contact);
    let opportunityId: string | null = null;
    if (options.createOpportunity !== false) {
      const opp = this.plan(
        'create',
        this.mustObject('Opportunity'),
        {
          Name: `${String(v['Company'] ?? 'Lead')}-`,
          StageName: 'Prospecting',
          CloseDate: utcDayKey(this.clock() + 30 * 86_400_000),
        },
        ctx.userId,
      );
      writes.push(opp);
      opportunityId = opp.id;
    }
    this.apply(writes, ctx);
    // Account/Contact/Opportunity references are set after creation so the planner's reference check passes.
    const contactRec = this.records.get(contact.id);
    if (contactRec) contactRec.values['AccountId'] = accountId;
    if (opportunityId !== null) {
      const oppRec = this.records.get(opportunityId);
      if (oppRec) Object.assign(oppRec.values, { AccountId: accountId, ContactId: contact.id });
    }
    const now = this.clock();
    const update: PlannedWrite = {
      kind: 'update',
      object: this.mustObject('Lead'),
      id: String(v['Id']),
      values: {
        IsConverted: true,
        ConvertedDate: utcDayKey(now),
        ConvertedAccountId: accountId,
        ConvertedContactId: contact.id,
        ConvertedOpportunityId: opportunityId,
        Status: 'Closed - Converted',
      },
    };
    this.apply([update], ctx);
    return { accountId, contactId: contact.id, opportunityId };
  }

  mustObject(name: string): ObjectDef {
    const o = this.object(name);
    if (!o) throw new Error(`unknown object ${name}`);
    return o;
  }

  /** Inserts a record the API cannot create directly (users, CustomField rows); no change event. */
  insertSystemRecord(objectName: string, values: Record<string, FieldValue>): string {
    const object = this.mustObject(objectName);
    const id = this.ids.next(object.keyPrefix);
    const now = this.clock();
    const full: Record<string, FieldValue> = {};
    for (const f of object.fields) full[f.name] = f.defaultValue ?? (f.type === 'boolean' ? false : null);
    Object.assign(full, values, {
      Id: id,
      IsDeleted: false,
      CreatedDate: now,
      LastModifiedDate: now,
      SystemModstamp: now,
    });
    this.derive(object.name, full);
    this.records.set(id, { type: object.name, values: full });
    this.byType.get(object.name)?.add(id);
    return id;
  }
}
