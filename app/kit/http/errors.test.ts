import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES, HttpError } from './errors.ts';

describe('error catalogue', () => {
  it.each(ERROR_CODES)('gives %s a 4xx/5xx status, a message and a description', (code) => {
    const spec = ERROR_CATALOGUE[code];
    expect(spec.status).toBeGreaterThanOrEqual(400);
    expect(spec.status).toBeLessThan(600);
    expect(spec.message.length).toBeGreaterThan(0);
    expect(spec.when.length).toBeGreaterThan(0);
    expect(code).toMatch(/^[a-z_]+$/);
  });

  it('takes status and default message from the catalogue when an HttpError is built', () => {
    const error = new HttpError('payload_too_large');
    expect(error.status).toBe(413);
    expect(error.message).toBe(ERROR_CATALOGUE.payload_too_large.message);
  });
});
