/** Describe `type` values the emulator models (a subset of Salesforce's DisplayType). */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'double'
  | 'int'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  length?: number;
  precision?: number;
  scale?: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  custom: boolean;
  /** Required on create (REQUIRED_FIELD_MISSING) when no default applies. */
  required?: boolean;
  defaultValue?: string | number | boolean;
  referenceTo?: string[];
  picklistValues?: string[];
  restrictedPicklist?: boolean;
  /** Standard fields are visible to the integration user; custom fields need field-level security. */
  needsFls: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  /** Objects that publish change events on `/data/<Name>ChangeEvent`. */
  changeEvents: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  /** Which API serves it: CRM objects are data-only, CustomField is Tooling-only, permissions are both. */
  api: 'data' | 'tooling' | 'both';
  fields: FieldDef[];
}

/** Stored value: datetimes as epoch ms, dates as `YYYY-MM-DD`, the rest as JSON scalars. */
export type FieldValue = string | number | boolean | null;

export const isTextType = (t: FieldType): boolean =>
  t === 'string' ||
  t === 'textarea' ||
  t === 'email' ||
  t === 'phone' ||
  t === 'url' ||
  t === 'picklist' ||
  t === 'id' ||
  t === 'reference';

export const isNumberType = (t: FieldType): boolean =>
  t === 'double' || t === 'int' || t === 'currency' || t === 'percent';
