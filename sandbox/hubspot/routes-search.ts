import { compileBody, parseJson } from './body.ts';
import { validationError } from './errors.ts';
import { objectTypeParam, readScopesOf, requirePortal } from './object-access.ts';
import { toPublicObject } from './public-object.ts';
import type { Router } from './router.ts';
import { OPERATORS, SEARCH_BODY_MAX_CHARS, runSearch, type SearchBody } from './search.ts';

const scalar = { type: ['string', 'number', 'boolean'] };

const checkSearch = compileBody<SearchBody>({
  type: 'object',
  additionalProperties: false,
  properties: {
    filterGroups: {
      type: 'array',
      items: {
        type: 'object',
        required: ['filters'],
        additionalProperties: false,
        properties: {
          filters: {
            type: 'array',
            items: {
              type: 'object',
              required: ['propertyName', 'operator'],
              additionalProperties: false,
              properties: {
                propertyName: { type: 'string' },
                operator: { enum: OPERATORS },
                value: scalar,
                highValue: scalar,
                values: { type: 'array', items: scalar },
              },
            },
          },
        },
      },
    },
    sorts: {
      type: 'array',
      items: {
        anyOf: [
          { type: 'string' },
          {
            type: 'object',
            required: ['propertyName'],
            properties: {
              propertyName: { type: 'string' },
              direction: { enum: ['ASCENDING', 'DESCENDING'] },
            },
          },
        ],
      },
    },
    properties: { type: 'array', items: { type: 'string' } },
    query: { type: 'string' },
    limit: { type: 'integer' },
    after: { type: ['string', 'integer'] },
  },
});

export function registerSearchRoutes(router: Router): void {
  router.add({
    method: 'POST',
    pattern: '/crm/v3/objects/:objectType/search',
    auth: 'bearer',
    // Search has its own budget, 5 requests per second per account (hubspot.md §3.5).
    limit: 'search',
    scopes: (p) => readScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      // "If the body of your request exceeds 3,000 characters, a 400 error will be returned."
      if (req.rawBody.length > SEARCH_BODY_MAX_CHARS) {
        throw validationError(
          `The search request body is ${req.rawBody.length} characters; the maximum is ${SEARCH_BODY_MAX_CHARS}.`,
        );
      }
      const body = checkSearch(parseJson(req));
      const page = runSearch(portal, type, body);
      const out: Record<string, unknown> = {
        total: page.total,
        results: page.results.map((o) => toPublicObject(portal, o, { properties: body.properties })),
      };
      if (page.nextAfter !== undefined) out.paging = { next: { after: page.nextAfter } };
      return { status: 200, body: out };
    },
  });
}
