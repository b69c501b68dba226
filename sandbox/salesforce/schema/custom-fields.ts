import { SalesforceApiError } from '../errors.ts';
import type { FieldDef } from './types.ts';

/** The part of Tooling `CustomField.Metadata` (CustomFieldMetadata) the emulator understands. */
export interface CustomFieldMetadata {
  type: string;
  label: string;
  length?: number;
  precision?: number;
  scale?: number;
  visibleLines?: number;
  defaultValue?: string;
  description?: string;
  inlineHelpText?: string;
  valueSet?: { restricted?: boolean; valueSetDefinition?: { value?: { fullName: string }[] } };
}

export interface CustomFieldRequest {
  objectName: string;
  fieldName: string;
  metadata: CustomFieldMetadata;
}

const integrity = (message: string): SalesforceApiError =>
  new SalesforceApiError(400, 'FIELD_INTEGRITY_EXCEPTION', message, []);

// Custom field API names: a letter first, letters/digits/single underscores, ending in `__c`.
const API_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c$/;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a Tooling `POST /tooling/sobjects/CustomField` body the way the Tooling API does. */
export function parseCustomFieldBody(body: unknown): CustomFieldRequest {
  if (!isRecord(body)) throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'Expected a JSON object');
  const fullName = body['FullName'];
  const metadata = body['Metadata'];
  if (typeof fullName !== 'string' || !fullName.includes('.')) {
    throw new SalesforceApiError(400, 'FIELD_INTEGRITY_EXCEPTION', 'FullName: must be <Object>.<Field>__c', [
      'FullName',
    ]);
  }
  const [objectName = '', fieldName = ''] = fullName.split('.', 2);
  if (!API_NAME.test(fieldName) || fieldName.length > 43) {
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD',
      `The field name ${fieldName} is not valid: use only letters, digits and single underscores, start with a letter and end with __c`,
      ['FullName'],
    );
  }
  if (!isRecord(metadata)) throw integrity('Metadata: required field missing');
  const type = metadata['type'];
  const label = metadata['label'];
  if (typeof type !== 'string') throw integrity('Metadata.type: required field missing');
  if (typeof label !== 'string' || label.length === 0)
    throw integrity('Metadata.label: required field missing');
  return { objectName, fieldName, metadata: metadata as unknown as CustomFieldMetadata };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Maps CustomFieldMetadata to the describe shape, enforcing each type's required attributes. */
export function toFieldDef(req: CustomFieldRequest): FieldDef {
  const m = req.metadata;
  const base = {
    name: req.fieldName,
    label: m.label,
    nillable: true,
    createable: true,
    updateable: true,
    custom: true,
    needsFls: true,
  };
  switch (m.type) {
    case 'Text': {
      const length = num(m.length);
      if (length === undefined || length < 1 || length > 255)
        throw integrity('Length: must be between 1 and 255 for a Text field');
      return { ...base, type: 'string', length };
    }
    case 'LongTextArea': {
      const length = num(m.length);
      if (length === undefined || length < 256 || length > 131072) {
        throw integrity('Length: must be between 256 and 131072 for a Long Text Area field');
      }
      if (num(m.visibleLines) === undefined)
        throw integrity('Visible Lines: required for a Long Text Area field');
      return { ...base, type: 'textarea', length };
    }
    case 'Number':
    case 'Percent':
    case 'Currency': {
      const precision = num(m.precision);
      const scale = num(m.scale) ?? 0;
      if (precision === undefined || precision < 1 || precision > 18)
        throw integrity('Precision: must be between 1 and 18');
      if (scale < 0 || scale > precision) throw integrity('Scale: must be between 0 and the precision');
      const type = m.type === 'Number' ? 'double' : m.type === 'Percent' ? 'percent' : 'currency';
      return { ...base, type, precision, scale };
    }
    case 'Checkbox': {
      // Checkbox fields must declare a default (true/false) in metadata.
      if (m.defaultValue !== 'true' && m.defaultValue !== 'false') {
        throw integrity('Default Value: a Checkbox field requires defaultValue true or false');
      }
      return { ...base, type: 'boolean', nillable: false, defaultValue: m.defaultValue === 'true' };
    }
    case 'Date':
      return { ...base, type: 'date' };
    case 'DateTime':
      return { ...base, type: 'datetime' };
    case 'Email':
      return { ...base, type: 'email', length: 80 };
    case 'Url':
      return { ...base, type: 'url', length: 255 };
    case 'Phone':
      return { ...base, type: 'phone', length: 40 };
    case 'Picklist': {
      const values = m.valueSet?.valueSetDefinition?.value?.map((v) => v.fullName) ?? [];
      if (values.length === 0) throw integrity('Values: a Picklist field needs at least one value');
      return {
        ...base,
        type: 'picklist',
        length: 255,
        picklistValues: values,
        restrictedPicklist: m.valueSet?.restricted === true,
      };
    }
    default:
      throw new SalesforceApiError(
        400,
        'INVALID_TYPE',
        `Metadata.type: unsupported field type ${m.type}`,
        [],
      );
  }
}
