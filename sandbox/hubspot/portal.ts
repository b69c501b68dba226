import { randomUUID } from 'node:crypto';
import { AssociationStore } from './associations.ts';
import { OBJECT_TYPES, type ObjectTypeInfo, type ObjectTypeName } from './object-types.ts';
import {
  builtInGroups,
  builtInProperties,
  type PropertyDefinition,
  type PropertyGroup,
} from './property-definitions.ts';
import { checkValue, type InvalidProperty } from './property-values.ts';
import { RollingWindow, SEARCH_SECONDLY, TEN_SECONDLY } from './rate-limit.ts';

/** One stored value of a property; `propertiesWithHistory` answers these newest first. */
export interface PropertyVersion {
  value: string;
  timestamp: number;
  sourceType: string;
  sourceId?: string;
}

export interface StoredObject {
  id: string;
  type: ObjectTypeName;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  properties: Map<string, string>;
  history: Map<string, PropertyVersion[]>;
}

/** A web-analytics event (page view, form submission, email open/click) as the Events API serves it. */
export interface AnalyticsEvent {
  id: string;
  eventType: string;
  objectType: 'contact';
  objectId: string;
  occurredAt: number;
  properties: Record<string, string>;
}

export type ChangeKind = 'creation' | 'propertyChange' | 'deletion' | 'privacyDeletion';

export interface ObjectChange {
  kind: ChangeKind;
  portalId: number;
  objectType: ObjectTypeName;
  objectId: string;
  occurredAt: number;
  propertyName?: string;
  propertyValue?: string;
  changeSource: string;
}

export interface WriteOptions {
  at: number;
  /** HubSpot's history `sourceType`: API, CRM_UI, IMPORT, INTEGRATION, ... */
  sourceType?: string;
  /** Seeding writes history without announcing changes to webhooks. */
  silent?: boolean;
}

/** One HubSpot account ("hub", "portal") with its CRM data, schema, tokens budget and listeners. */
export class Portal {
  readonly objects = new Map<ObjectTypeName, Map<string, StoredObject>>();
  readonly properties = new Map<ObjectTypeName, Map<string, PropertyDefinition>>();
  readonly groups = new Map<ObjectTypeName, Map<string, PropertyGroup>>();
  readonly associations = new AssociationStore();
  readonly events: AnalyticsEvent[] = [];
  readonly privateAppToken = `pat-na1-${randomUUID()}`;
  readonly burst = new RollingWindow(TEN_SECONDLY.max, TEN_SECONDLY.windowMs);
  readonly search = new RollingWindow(SEARCH_SECONDLY.max, SEARCH_SECONDLY.windowMs);
  private readonly nextIds = new Map<ObjectTypeName, number>();
  /** list() answers, kept until a record is created, archived or deleted (list paging is O(page), not O(portal)). */
  private readonly listed = new Map<string, readonly StoredObject[]>();
  private readonly listeners: ((change: ObjectChange) => void)[] = [];

  constructor(
    readonly id: number,
    readonly domain: string,
    createdAt: number,
  ) {
    const at = new Date(createdAt).toISOString();
    for (const t of Object.values(OBJECT_TYPES)) {
      this.objects.set(t.name, new Map());
      this.properties.set(t.name, new Map(builtInProperties(t.name, at).map((p) => [p.name, p])));
      this.groups.set(t.name, new Map(builtInGroups(t.name).map((g) => [g.name, g])));
      this.nextIds.set(t.name, t.idBase + 1);
    }
  }

  onChange(listener: (change: ObjectChange) => void): void {
    this.listeners.push(listener);
  }

  private emit(change: Omit<ObjectChange, 'portalId'>): void {
    for (const l of this.listeners) l({ ...change, portalId: this.id });
  }

  store(type: ObjectTypeName): Map<string, StoredObject> {
    const m = this.objects.get(type);
    if (m === undefined) throw new Error(`unknown object type ${type}`);
    return m;
  }

  propertyDefs(type: ObjectTypeName): Map<string, PropertyDefinition> {
    const m = this.properties.get(type);
    if (m === undefined) throw new Error(`unknown object type ${type}`);
    return m;
  }

  groupDefs(type: ObjectTypeName): Map<string, PropertyGroup> {
    const m = this.groups.get(type);
    if (m === undefined) throw new Error(`unknown object type ${type}`);
    return m;
  }

  /** A live (not archived) record, or undefined. */
  get(type: ObjectTypeName, id: string): StoredObject | undefined {
    const o = this.store(type).get(id);
    return o === undefined || o.archived ? undefined : o;
  }

  /** Live records in ascending id order (list paging walks this order). Shared: do not mutate. */
  list(type: ObjectTypeName, archived = false): readonly StoredObject[] {
    const key = `${type}:${archived}`;
    let all = this.listed.get(key);
    if (all === undefined) {
      all = [...this.store(type).values()]
        .filter((o) => o.archived === archived)
        .sort((a, b) => Number(a.id) - Number(b.id));
      this.listed.set(key, all);
    }
    return all;
  }

  findByProperty(type: ObjectTypeName, name: string, value: string): StoredObject | undefined {
    const wanted = name === 'email' || name === 'domain' ? value.toLowerCase() : value;
    for (const o of this.store(type).values()) {
      if (o.archived) continue;
      const v = o.properties.get(name);
      if (v !== undefined && (name === 'email' || name === 'domain' ? v.toLowerCase() : v) === wanted)
        return o;
    }
    return undefined;
  }

  /**
   * Checks a write: unknown names, read-only values and invalid values come back as a list
   * (HubSpot reports them all at once); valid values are normalised (ISO datetimes).
   */
  validate(
    type: ObjectTypeName,
    input: Readonly<Record<string, unknown>>,
    allowReadOnly = false,
  ): { values: Map<string, string>; invalid: InvalidProperty[] } {
    const defs = this.propertyDefs(type);
    const values = new Map<string, string>();
    const invalid: InvalidProperty[] = [];
    for (const [name, raw] of Object.entries(input)) {
      const def = defs.get(name);
      if (def === undefined || def.archived) {
        invalid.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
        continue;
      }
      if (def.modificationMetadata.readOnlyValue && !allowReadOnly) {
        invalid.push({
          name,
          error: 'READ_ONLY_VALUE',
          message: `"${name}" is a read only property; its value cannot be set.`,
        });
        continue;
      }
      const checked = checkValue(def, raw);
      if (checked.ok) values.set(name, checked.value);
      else invalid.push({ name, error: checked.error, message: checked.message });
    }
    return { values, invalid };
  }

  create(type: ObjectTypeName, values: ReadonlyMap<string, string>, options: WriteOptions): StoredObject {
    const info = OBJECT_TYPES[type];
    const next = this.nextIds.get(type) ?? info.idBase + 1;
    const id = String(next);
    this.nextIds.set(type, next + 1);
    const createdProp = createdProperty(info);
    const createdValue = values.get(createdProp);
    const createdAt =
      createdValue !== undefined && createdValue !== '' ? Date.parse(createdValue) : options.at;
    const obj: StoredObject = {
      id,
      type,
      createdAt,
      updatedAt: options.at,
      archived: false,
      properties: new Map(),
      history: new Map(),
    };
    this.store(type).set(id, obj);
    this.listed.clear();
    const source = options.sourceType ?? 'API';
    this.record(obj, 'hs_object_id', id, createdAt, source);
    this.record(obj, createdProp, new Date(createdAt).toISOString(), createdAt, source);
    for (const [name, value] of values) {
      if (name !== createdProp && value !== '') this.record(obj, name, value, createdAt, source);
    }
    this.derive(obj, createdAt);
    this.touch(obj, options.at);
    if (options.silent !== true) {
      this.emit({
        kind: 'creation',
        objectType: type,
        objectId: id,
        occurredAt: options.at,
        changeSource: source,
      });
    }
    return obj;
  }

  /** Writes values; answers the names whose value actually changed. */
  update(obj: StoredObject, values: ReadonlyMap<string, string>, options: WriteOptions): string[] {
    const source = options.sourceType ?? 'API';
    const changed: string[] = [];
    for (const [name, value] of values) {
      if ((obj.properties.get(name) ?? '') === value) continue;
      this.record(obj, name, value, options.at, source);
      changed.push(name);
    }
    if (changed.length === 0) return changed;
    this.derive(obj, options.at);
    this.touch(obj, options.at);
    if (options.silent !== true) {
      for (const name of changed) {
        this.emit({
          kind: 'propertyChange',
          objectType: obj.type,
          objectId: obj.id,
          occurredAt: options.at,
          propertyName: name,
          propertyValue: obj.properties.get(name) ?? '',
          changeSource: source,
        });
      }
    }
    return changed;
  }

  archive(obj: StoredObject, at: number): void {
    obj.archived = true;
    this.listed.clear();
    obj.archivedAt = at;
    obj.updatedAt = at;
    this.associations.removeAll(obj.type, obj.id);
    this.emit({
      kind: 'deletion',
      objectType: obj.type,
      objectId: obj.id,
      occurredAt: at,
      changeSource: 'API',
    });
  }

  /** GDPR deletion: the record and its history are gone for good, not archived. */
  privacyDelete(obj: StoredObject, at: number): void {
    this.store(obj.type).delete(obj.id);
    this.listed.clear();
    this.associations.removeAll(obj.type, obj.id);
    if (obj.type === 'contacts') {
      for (let i = this.events.length - 1; i >= 0; i--)
        if (this.events[i]?.objectId === obj.id) this.events.splice(i, 1);
    }
    this.emit({
      kind: 'privacyDeletion',
      objectType: obj.type,
      objectId: obj.id,
      occurredAt: at,
      changeSource: 'GDPR',
    });
  }

  private record(obj: StoredObject, name: string, value: string, at: number, sourceType: string): void {
    if (value === '') obj.properties.delete(name);
    else obj.properties.set(name, value);
    const versions = obj.history.get(name) ?? [];
    versions.unshift({ value, timestamp: at, sourceType });
    obj.history.set(name, versions);
  }

  private touch(obj: StoredObject, at: number): void {
    obj.updatedAt = Math.max(obj.updatedAt, at);
    const prop = OBJECT_TYPES[obj.type].lastModifiedProperty;
    const iso = new Date(obj.updatedAt).toISOString();
    if (obj.properties.get(prop) !== iso) this.record(obj, prop, iso, obj.updatedAt, 'CALCULATED');
  }

  /** Properties HubSpot calculates: the date a lifecycle stage was first entered. */
  private derive(obj: StoredObject, at: number): void {
    if (obj.type !== 'contacts') return;
    const stage = obj.properties.get('lifecyclestage');
    if (stage === undefined) return;
    const dateProp = `hs_lifecyclestage_${stage}_date`;
    if (this.propertyDefs('contacts').has(dateProp) && !obj.properties.has(dateProp)) {
      this.record(obj, dateProp, new Date(at).toISOString(), at, 'CALCULATED');
    }
  }
}

export function createdProperty(info: ObjectTypeInfo): string {
  return info.name === 'calls' || info.name === 'emails' || info.name === 'meetings' || info.name === 'notes'
    ? 'hs_createdate'
    : 'createdate';
}
