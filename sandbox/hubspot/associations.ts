import type { ObjectTypeName } from './object-types.ts';

/**
 * HubSpot-defined association types between the objects the emulator serves. Ids from the SDK's
 * `AssociationTypes` enum (hubspot.md §3.6): primary contact→company 1 (and back 2), deal→contact 3,
 * contact→deal 4, deal→company 5 (back 6), contact→call 193 … contact→note 201, each with its inverse.
 */
export interface AssociationTypeDef {
  from: ObjectTypeName;
  to: ObjectTypeName;
  typeId: number;
  label: string | null;
}

const PAIRS: readonly (readonly [ObjectTypeName, ObjectTypeName, number, number, string | null])[] = [
  ['contacts', 'companies', 1, 2, 'Primary'],
  ['contacts', 'companies', 279, 280, null],
  ['deals', 'contacts', 3, 4, null],
  ['deals', 'companies', 5, 6, 'Primary'],
  ['deals', 'companies', 341, 342, null],
  ['contacts', 'calls', 193, 194, null],
  ['contacts', 'emails', 197, 198, null],
  ['contacts', 'meetings', 199, 200, null],
  ['contacts', 'notes', 201, 202, null],
  ['companies', 'calls', 181, 182, null],
  ['companies', 'emails', 185, 186, null],
  ['companies', 'meetings', 187, 188, null],
  ['companies', 'notes', 189, 190, null],
  ['deals', 'calls', 205, 206, null],
  ['deals', 'emails', 209, 210, null],
  ['deals', 'meetings', 211, 212, null],
  ['deals', 'notes', 213, 214, null],
];

export const ASSOCIATION_TYPES: readonly AssociationTypeDef[] = PAIRS.flatMap(([a, b, ab, ba, label]) => [
  { from: a, to: b, typeId: ab, label },
  { from: b, to: a, typeId: ba, label },
]);

export function associationType(
  from: ObjectTypeName,
  to: ObjectTypeName,
  typeId: number,
): AssociationTypeDef | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.typeId === typeId);
}

export function inverseOf(def: AssociationTypeDef): AssociationTypeDef {
  const pair = PAIRS.find(
    ([a, b, ab, ba]) =>
      (a === def.from && b === def.to && ab === def.typeId) ||
      (b === def.from && a === def.to && ba === def.typeId),
  );
  if (pair === undefined) throw new Error(`no inverse for association type ${def.typeId}`);
  const [a, , ab, ba] = pair;
  const typeId = def.from === a && def.typeId === ab ? ba : ab;
  const inverse = associationType(def.to, def.from, typeId);
  if (inverse === undefined) throw new Error(`no inverse for association type ${def.typeId}`);
  return inverse;
}

/** The unlabeled ("default") association type from one object type to another. */
export function defaultAssociationType(
  from: ObjectTypeName,
  to: ObjectTypeName,
): AssociationTypeDef | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.label === null);
}

/** Links between records, kept in both directions with their type ids. */
export class AssociationStore {
  private readonly links = new Map<string, Map<string, Set<number>>>();

  private key(type: ObjectTypeName, id: string, to: ObjectTypeName): string {
    return `${type}/${id}/${to}`;
  }

  add(def: AssociationTypeDef, fromId: string, toId: string): void {
    this.addOne(def, fromId, toId);
    this.addOne(inverseOf(def), toId, fromId);
  }

  private addOne(def: AssociationTypeDef, fromId: string, toId: string): void {
    const k = this.key(def.from, fromId, def.to);
    let targets = this.links.get(k);
    if (targets === undefined) {
      targets = new Map();
      this.links.set(k, targets);
    }
    let types = targets.get(toId);
    if (types === undefined) {
      types = new Set();
      targets.set(toId, types);
    }
    types.add(def.typeId);
  }

  /** Target ids (ascending, numeric) with their type ids. */
  list(from: ObjectTypeName, fromId: string, to: ObjectTypeName): { toId: string; typeIds: number[] }[] {
    const targets = this.links.get(this.key(from, fromId, to));
    if (targets === undefined) return [];
    return [...targets.entries()]
      .map(([toId, types]) => ({ toId, typeIds: [...types].sort((a, b) => a - b) }))
      .sort((a, b) => Number(a.toId) - Number(b.toId));
  }

  /** Removes every link of a record, both directions (archive, privacy deletion). */
  removeAll(type: ObjectTypeName, id: string): void {
    for (const [k, targets] of [...this.links.entries()]) {
      if (k.startsWith(`${type}/${id}/`)) {
        const to = k.split('/')[2] as ObjectTypeName;
        for (const toId of targets.keys()) this.links.get(this.key(to, toId, type))?.delete(id);
        this.links.delete(k);
      }
    }
  }
}
