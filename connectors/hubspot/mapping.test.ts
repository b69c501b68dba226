import { describe, expect, it } from 'vitest';
import { COMPANY_PROPERTIES, PERSON_PROPERTIES } from './mapping.ts';

describe('properties read (issue 14 item 11)', () => {
  // leadgate stores only what its features read (app/pipeline/feature-spec.ts storedProperties): a
  // contact's name and a company's name and domain were read for storage alone.
  it('reads no contact name', () => {
    expect(
      PERSON_PROPERTIES.filter((p) => ['firstname', 'lastname', 'phone', 'city', 'website'].includes(p)),
    ).toEqual([]);
  });

  it('reads no company name or domain', () => {
    expect(
      COMPANY_PROPERTIES.filter((p) => ['name', 'domain', 'website', 'city', 'phone'].includes(p)),
    ).toEqual([]);
  });
});
