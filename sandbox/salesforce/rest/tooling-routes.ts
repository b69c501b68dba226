import { Router } from 'express';
import { SalesforceApiError } from '../errors.ts';
import { jsonBody, sendJson } from '../http.ts';
import type { Org } from '../org.ts';
import { parseCustomFieldBody, toFieldDef, type CustomFieldMetadata } from '../schema/custom-fields.ts';
import { ctx } from './context.ts';

// Custom fields go on the CRM objects leadgate writes to and reads from.
const CUSTOMIZABLE = new Set(['Lead', 'Contact', 'Account', 'Opportunity', 'Task', 'Event']);

/** Creates a custom field as Tooling `POST /tooling/sobjects/CustomField` does; also used by the test API. */
export function createCustomField(
  org: Org,
  fullName: string,
  metadata: CustomFieldMetadata,
  openToAll = false,
): string {
  const req = parseCustomFieldBody({ FullName: fullName, Metadata: metadata });
  const object = org.object(req.objectName);
  if (!object || !CUSTOMIZABLE.has(object.name)) {
    throw new SalesforceApiError(400, 'INVALID_TYPE', `sObject type '${req.objectName}' is not supported.`, [
      'FullName',
    ]);
  }
  if (org.field(object.name, req.fieldName)) {
    // The Tooling API answers a second create of the same field with this DUPLICATE_VALUE message.
    throw new SalesforceApiError(
      400,
      'DUPLICATE_VALUE',
      'duplicate value found: <unknown> duplicates value on record with id: <unknown>',
      [],
    );
  }
  const def = toFieldDef(req);
  org.addCustomField(object.name, def, openToAll);
  return org.insertSystemRecord('CustomField', {
    DeveloperName: req.fieldName.replace(/__c$/, ''),
    TableEnumOrId: object.name,
    FullName: `${object.name}.${def.name}`,
  });
}

export function toolingRouter(): Router {
  const router = Router();
  router.post('/sobjects/CustomField', (req, res) => {
    const { org } = ctx(req);
    const parsed = parseCustomFieldBody(jsonBody(req));
    const id = createCustomField(org, `${parsed.objectName}.${parsed.fieldName}`, parsed.metadata);
    sendJson(res, 201, { id, success: true, errors: [], warnings: [], infos: [] });
  });
  return router;
}
