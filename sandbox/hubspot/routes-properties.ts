import { compileBody, readBody } from './body.ts';
import { httpError, notFound, validationError } from './errors.ts';
import { objectTypeParam, requirePortal } from './object-access.ts';
import { resolveObjectType } from './object-types.ts';
import {
  FIELD_TYPES,
  PROPERTY_TYPES,
  VALID_FIELD_TYPES,
  type PropertyDefinition,
  type PropertyGroup,
} from './property-definitions.ts';
import type { RouteRequest, Router } from './router.ts';

/**
 * Properties and property groups ([spec] crm-properties-v3; hubspot.md §2): create answers 201,
 * a duplicate name 409 (OBJECT_ALREADY_EXISTS, the stricter of the UNVERIFIED readings), a
 * type/fieldType pair outside the documented table 400.
 */

/** Internal names: lowercase letters, digits and underscores, starting with a letter, ≤ 100 chars (UNVERIFIED; hubspot.md §2.5). */
const NAME = '^[a-z][a-z0-9_]{0,99}$';

interface PropertyCreate {
  name: string;
  label: string;
  type: PropertyDefinition['type'];
  fieldType: string;
  groupName: string;
  description?: string;
  displayOrder?: number;
  hasUniqueValue?: boolean;
  hidden?: boolean;
  formField?: boolean;
  options?: { label: string; value: string; hidden: boolean; description?: string; displayOrder?: number }[];
  [more: string]: unknown;
}

const optionSchema = {
  type: 'object',
  required: ['label', 'value', 'hidden'],
  additionalProperties: false,
  properties: {
    label: { type: 'string' },
    value: { type: 'string' },
    hidden: { type: 'boolean' },
    description: { type: 'string' },
    displayOrder: { type: 'integer' },
  },
};

const checkPropertyCreate = compileBody<PropertyCreate>({
  type: 'object',
  required: ['name', 'label', 'type', 'fieldType', 'groupName'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: NAME },
    label: { type: 'string', minLength: 1 },
    type: { enum: PROPERTY_TYPES },
    fieldType: { enum: FIELD_TYPES },
    groupName: { type: 'string' },
    description: { type: 'string' },
    displayOrder: { type: 'integer' },
    hasUniqueValue: { type: 'boolean' },
    hidden: { type: 'boolean' },
    formField: { type: 'boolean' },
    options: { type: 'array', items: optionSchema },
    calculationFormula: { type: 'string' },
    dataSensitivity: { enum: ['non_sensitive', 'sensitive', 'highly_sensitive'] },
    externalOptions: { type: 'boolean' },
    referencedObjectType: { type: 'string' },
    numberDisplayHint: { type: 'string' },
    textDisplayHint: { type: 'string' },
    currencyPropertyName: { type: 'string' },
    showCurrencySymbol: { type: 'boolean' },
  },
});

const checkPropertyUpdate = compileBody<Partial<PropertyCreate>>({
  type: 'object',
  additionalProperties: false,
  properties: {
    label: { type: 'string', minLength: 1 },
    type: { enum: PROPERTY_TYPES },
    fieldType: { enum: FIELD_TYPES },
    groupName: { type: 'string' },
    description: { type: 'string' },
    displayOrder: { type: 'integer' },
    hidden: { type: 'boolean' },
    formField: { type: 'boolean' },
    options: { type: 'array', items: optionSchema },
  },
});

const checkGroupCreate = compileBody<{ name: string; label: string; displayOrder?: number }>({
  type: 'object',
  required: ['name', 'label'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: NAME },
    label: { type: 'string', minLength: 1 },
    displayOrder: { type: 'integer' },
  },
});

function schemaReadScopes(p: Readonly<Record<string, string>>): readonly string[] | undefined {
  return resolveObjectType(p.objectType ?? '')?.schemaReadScopes;
}
function schemaWriteScopes(p: Readonly<Record<string, string>>): readonly string[] | undefined {
  return resolveObjectType(p.objectType ?? '')?.schemaWriteScopes;
}

function checkPair(type: string, fieldType: string, options: PropertyCreate['options']): void {
  const allowed = VALID_FIELD_TYPES[type as PropertyDefinition['type']];
  if (!allowed.includes(fieldType)) {
    throw validationError(
      `fieldType "${fieldType}" is not valid for a property of type "${type}"; use one of ${allowed.join(', ')}`,
      {
        subCategory: 'Properties.INVALID_FIELD_TYPE',
      },
    );
  }
  if (
    type === 'enumeration' &&
    fieldType !== 'booleancheckbox' &&
    (options === undefined || options.length === 0)
  ) {
    throw validationError('An enumeration property needs options');
  }
}

function context(req: RouteRequest): {
  portal: ReturnType<typeof requirePortal>;
  type: ReturnType<typeof objectTypeParam>['name'];
} {
  return { portal: requirePortal(req), type: objectTypeParam(req.params.objectType).name };
}

export function registerPropertyRoutes(router: Router): void {
  router.add({
    method: 'GET',
    pattern: '/crm/v3/properties/:objectType',
    auth: 'bearer',
    limit: 'standard',
    scopes: schemaReadScopes,
    handler: (req) => {
      const { portal, type } = context(req);
      const archived = req.query.get('archived') === 'true';
      return {
        status: 200,
        body: { results: [...portal.propertyDefs(type).values()].filter((p) => p.archived === archived) },
      };
    },
  });

  router.add({
    method: 'POST',
    pattern: '/crm/v3/properties/:objectType',
    auth: 'bearer',
    limit: 'standard',
    scopes: schemaWriteScopes,
    handler: (req) => {
      const { portal, type } = context(req);
      const body = readBody(req, checkPropertyCreate);
      checkPair(body.type, body.fieldType, body.options);
      if (!portal.groupDefs(type).has(body.groupName))
        throw validationError(`Property group "${body.groupName}" does not exist`);
      const defs = portal.propertyDefs(type);
      const existing = defs.get(body.name);
      if (existing !== undefined && !existing.archived) {
        throw httpError(409, 'OBJECT_ALREADY_EXISTS', `A property named '${body.name}' already exists.`, {
          subCategory: 'Properties.PROPERTY_WITH_NAME_EXISTS',
        });
      }
      const at = new Date(req.now).toISOString();
      const def: PropertyDefinition = {
        name: body.name,
        label: body.label,
        type: body.type,
        fieldType: body.fieldType,
        description: body.description ?? '',
        groupName: body.groupName,
        options: (body.options ?? []).map((o, i) => ({ ...o, displayOrder: o.displayOrder ?? i })),
        displayOrder: body.displayOrder ?? -1,
        hasUniqueValue: body.hasUniqueValue ?? false,
        hidden: body.hidden ?? false,
        formField: body.formField ?? false,
        hubspotDefined: false,
        calculated: false,
        externalOptions: false,
        modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
        createdAt: at,
        updatedAt: at,
        archived: false,
      };
      defs.set(def.name, def);
      return { status: 201, body: def, headers: { Location: `/crm/v3/properties/${type}/${def.name}` } };
    },
  });

  router.add({
    method: 'GET',
    pattern: '/crm/v3/properties/:objectType/groups',
    auth: 'bearer',
    limit: 'standard',
    scopes: schemaReadScopes,
    handler: (req) => {
      const { portal, type } = context(req);
      return {
        status: 200,
        body: { results: [...portal.groupDefs(type).values()].filter((g) => !g.archived) },
      };
    },
  });

  router.add({
    method: 'POST',
    pattern: '/crm/v3/properties/:objectType/groups',
    auth: 'bearer',
    limit: 'standard',
    scopes: schemaWriteScopes,
    handler: (req) => {
      const { portal, type } = context(req);
      const body = readBody(req, checkGroupCreate);
      const groups = portal.groupDefs(type);
      if (groups.get(body.name)?.archived === false) {
        throw httpError(
          409,
          'OBJECT_ALREADY_EXISTS',
          `A property group named '${body.name}' already exists.`,
          {
            subCategory: 'PropertyGroups.GROUP_WITH_NAME_EXISTS',
          },
        );
      }
      const group: PropertyGroup = {
        name: body.name,
        label: body.label,
        displayOrder: body.displayOrder ?? -1,
        archived: false,
      };
      groups.set(group.name, group);
      return {
        status: 201,
        body: group,
        headers: { Location: `/crm/v3/properties/${type}/groups/${group.name}` },
      };
    },
  });

  router.add({
    method: 'GET',
    pattern: '/crm/v3/properties/:objectType/groups/:groupName',
    auth: 'bearer',
    limit: 'standard',
    scopes: schemaReadScopes,
    handler: (req) => {
      const { portal, type } = context(req);
      const group = portal.groupDefs(type).get(req.params.groupName ?? '');
      if (group === undefined || group.archived)
        throw notFound(`Property group ${req.params.groupName ?? ''} does not exist`);
      return { status: 200, body: group };
    },
  });

  router.add({
    method: 'GET',
    pattern: '/crm/v3/properties/:objectType/:propertyName',
    auth: 'bearer',
    limit: 'standard',
    scopes: schemaReadScopes,
    handler: (req) => {
      const { portal, type } = context(req);
      const def = portal.propertyDefs(type).get(req.params.propertyName ?? '');
      if (def === undefined || def.archived)
        throw notFound(`Property ${req.params.propertyName ?? ''} does not exist`);
      return { status: 200, body: def };
    },
  });

  router.add({
    method: 'PATCH',
    pattern: '/crm/v3/properties/:objectType/:propertyName',
    auth: 'bearer',
    limit: 'standard',
    scopes: schemaWriteScopes,
    handler: (req) => {
      const { portal, type } = context(req);
      const def = portal.propertyDefs(type).get(req.params.propertyName ?? '');
      if (def === undefined || def.archived)
        throw notFound(`Property ${req.params.propertyName ?? ''} does not exist`);
      if (def.modificationMetadata.readOnlyDefinition)
        throw validationError(`Property ${def.name} is read only and cannot be changed`);
      const body = readBody(req, checkPropertyUpdate);
      // "When creating or updating properties, both type and fieldType values are required" together.
      if ((body.type === undefined) !== (body.fieldType === undefined))
        throw validationError('type and fieldType must be sent together');
      const type2 = body.type ?? def.type;
      checkPair(type2, body.fieldType ?? def.fieldType, body.options ?? def.options);
      if (body.groupName !== undefined && !portal.groupDefs(type).has(body.groupName))
        throw validationError(`Property group "${body.groupName}" does not exist`);
      Object.assign(def, {
        ...(body.label !== undefined && { label: body.label }),
        ...(body.type !== undefined && { type: body.type }),
        ...(body.fieldType !== undefined && { fieldType: body.fieldType }),
        ...(body.groupName !== undefined && { groupName: body.groupName }),
        ...(body.description !== undefined && { description: body.description }),
        ...(body.displayOrder !== undefined && { displayOrder: body.displayOrder }),
        ...(body.hidden !== undefined && { hidden: body.hidden }),
        ...(body.formField !== undefined && { formField: body.formField }),
        ...(body.options !== undefined && {
          options: body.options.map((o, i) => ({ ...o, displayOrder: o.displayOrder ?? i })),
        }),
        updatedAt: new Date(req.now).toISOString(),
      });
      return { status: 200, body: def };
    },
  });

  router.add({
    method: 'DELETE',
    pattern: '/crm/v3/properties/:objectType/:propertyName',
    auth: 'bearer',
    limit: 'standard',
    scopes: schemaWriteScopes,
    handler: (req) => {
      const { portal, type } = context(req);
      const def = portal.propertyDefs(type).get(req.params.propertyName ?? '');
      if (def === undefined || def.archived)
        throw notFound(`Property ${req.params.propertyName ?? ''} does not exist`);
      if (!def.modificationMetadata.archivable)
        throw validationError(`Property ${def.name} is a HubSpot default and cannot be archived`);
      def.archived = true;
      return { status: 204 };
    },
  });
}
