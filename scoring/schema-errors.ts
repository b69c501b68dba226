import type { ErrorObject } from 'ajv';

/** "/featureSpec/fields/3/width must be >= 1", the way a person reading the file would look for it. */
export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined, root: string): string[] {
  return (errors ?? []).map((e) => {
    const where = `${root}${e.instancePath.replace(/\//g, '.')}`;
    if (e.keyword === 'additionalProperties') {
      return `${where} has unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    }
    if (e.keyword === 'required') {
      return `${where} is missing "${(e.params as { missingProperty: string }).missingProperty}"`;
    }
    return `${where} ${e.message ?? 'is invalid'}`;
  });
}
