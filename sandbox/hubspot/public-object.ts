import { ASSOCIATION_TYPES, defaultAssociationType } from './associations.ts';
import { OBJECT_TYPES, type ObjectTypeName } from './object-types.ts';
import { createdProperty, type Portal, type StoredObject } from './portal.ts';

/** `SimplePublicObject(WithAssociations)` as HubSpot answers it: string values, ISO timestamps. */
export interface PublicObject {
  id: string;
  properties: Record<string, string | null>;
  propertiesWithHistory?: Record<string, { value: string; timestamp: string; sourceType: string }[]>;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

export interface ProjectionOptions {
  /** Requested names; absent means the type's default properties. */
  properties?: readonly string[] | undefined;
  propertiesWithHistory?: readonly string[] | undefined;
  associations?: readonly ObjectTypeName[] | undefined;
}

/** Properties always present in an answer, whatever was asked. */
function systemProperties(type: ObjectTypeName): string[] {
  const info = OBJECT_TYPES[type];
  return ['hs_object_id', createdProperty(info), info.lastModifiedProperty];
}

export function toPublicObject(
  portal: Portal,
  obj: StoredObject,
  options: ProjectionOptions = {},
): PublicObject {
  const info = OBJECT_TYPES[obj.type];
  const defs = portal.propertyDefs(obj.type);
  const wanted = new Set([...(options.properties ?? info.defaultProperties), ...systemProperties(obj.type)]);
  const properties: Record<string, string | null> = {};
  for (const name of [...wanted].sort()) {
    // Unknown names are ignored on reads; known but empty ones come back as null.
    if (!defs.has(name)) continue;
    properties[name] = obj.properties.get(name) ?? null;
  }
  const out: PublicObject = {
    id: obj.id,
    properties,
    createdAt: new Date(obj.createdAt).toISOString(),
    updatedAt: new Date(obj.updatedAt).toISOString(),
    archived: obj.archived,
  };
  if (obj.archivedAt !== undefined) out.archivedAt = new Date(obj.archivedAt).toISOString();
  if (options.propertiesWithHistory !== undefined && options.propertiesWithHistory.length > 0) {
    const history: NonNullable<PublicObject['propertiesWithHistory']> = {};
    for (const name of options.propertiesWithHistory) {
      if (!defs.has(name)) continue;
      history[name] = (obj.history.get(name) ?? []).map((v) => ({
        value: v.value,
        timestamp: new Date(v.timestamp).toISOString(),
        sourceType: v.sourceType,
      }));
    }
    out.propertiesWithHistory = history;
  }
  if (options.associations !== undefined && options.associations.length > 0) {
    const associations: NonNullable<PublicObject['associations']> = {};
    for (const to of options.associations) {
      const links = portal.associations.list(obj.type, obj.id, to);
      if (links.length === 0) continue;
      const base = `${info.singular}_to_${OBJECT_TYPES[to].singular}`;
      // v3 names a pair's primary type `contact_to_company` and the plain one `..._unlabeled`.
      const hasPrimary = ASSOCIATION_TYPES.some(
        (t) => t.from === obj.type && t.to === to && t.label === 'Primary',
      );
      const plain = defaultAssociationType(obj.type, to)?.typeId;
      associations[to] = {
        results: links.flatMap((l) =>
          l.typeIds.map((typeId) => ({
            id: l.toId,
            type: typeId === plain && hasPrimary ? `${base}_unlabeled` : base,
          })),
        ),
      };
    }
    out.associations = associations;
  }
  return out;
}
