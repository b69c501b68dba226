import type { Org } from '../org.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  int: 'xsd:int',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

function describeField(f: FieldDef): Record<string, unknown> {
  return {
    name: f.name,
    label: f.label,
    type: f.type,
    soapType: SOAP_TYPES[f.type] ?? 'xsd:string',
    length: f.length ?? 0,
    precision: f.precision ?? 0,
    scale: f.scale ?? 0,
    digits: f.type === 'int' ? (f.precision ?? 9) : 0,
    nillable: f.nillable,
    createable: f.createable,
    updateable: f.updateable,
    custom: f.custom,
    calculated: false,
    filterable: f.type !== 'textarea',
    sortable: f.type !== 'textarea',
    defaultedOnCreate: f.defaultValue !== undefined || ['Id', 'CreatedDate', 'OwnerId'].includes(f.name),
    externalId: false,
    unique: false,
    referenceTo: f.referenceTo ?? [],
    relationshipName: f.type === 'reference' && f.name.endsWith('Id') ? f.name.slice(0, -2) : null,
    restrictedPicklist: f.restrictedPicklist === true,
    picklistValues: (f.picklistValues ?? []).map((v) => ({
      active: true,
      defaultValue: v === f.defaultValue,
      label: v,
      value: v,
      validFor: null,
    })),
    defaultValue: f.type === 'boolean' ? (f.defaultValue ?? false) : null,
  };
}

/** `GET /sobjects/{Type}/describe`, showing only the fields the user can read (FLS). */
export function describeObject(
  org: Org,
  userId: string,
  object: ObjectDef,
  version: string,
): Record<string, unknown> {
  return {
    ...describeGlobalEntry(object, version),
    fields: org.visibleFields(userId, object).map(describeField),
  };
}

export function describeGlobalEntry(object: ObjectDef, version: string): Record<string, unknown> {
  const base = `/services/data/v${version}/sobjects/${object.name}`;
  return {
    name: object.name,
    label: object.label,
    labelPlural: object.labelPlural,
    keyPrefix: object.keyPrefix,
    custom: false,
    createable: object.createable,
    updateable: object.updateable,
    deletable: object.deletable,
    queryable: true,
    retrieveable: true,
    searchable: object.changeEvents,
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  };
}
