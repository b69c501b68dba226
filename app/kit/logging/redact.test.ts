import { describe, expect, it } from 'vitest';
import { REDACTED, isSensitiveKey, redact, redactString } from './redact.ts';

describe('isSensitiveKey', () => {
  it.each([
    'token',
    'access_token',
    'refreshToken',
    'clientSecret',
    'password',
    'Authorization',
    'apiKey',
    'x-api-key',
    'email',
    'Email',
    'firstname',
    'FirstName',
    'last_name',
    'name',
    'phone',
    'MobilePhone',
  ])('redacts the key %s', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
  });

  it.each(['hostname', 'routeName', 'tenantId', 'status', 'durationMs', 'method'])(
    'keeps the key %s',
    (key) => {
      expect(isSensitiveKey(key)).toBe(false);
    },
  );
});

describe('redactString', () => {
  it.each([
    ['an email', 'lead jane.doe+x@example.co.uk signed up', 'jane.doe'],
    ['a bearer token', 'header Bearer abc.DEF-123_x', 'abc.DEF'],
    [
      'a JWT',
      'got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
      'SflKxw',
    ],
    ['a HubSpot private-app token', 'token pat-na1-11111111-2222-3333-4444-555555555555 used', '2222-3333'],
    ['a Salesforce session id', 'sid 00D5g000004ABCD!AQ0AQH8.fake_session-xyz', 'AQ0AQH8'],
    ['a password in a URL', 'connect postgres://leadgate:s3cr3tPw@db.internal:5432/lg failed', 's3cr3tPw'],
    ['an OAuth code in a query string', 'GET /oauth/callback?state=x&code=abc123XYZ&foo=1', 'abc123XYZ'],
    ['a leadgate API key', 'key lg_0123456789abcdef_deadbeefcafe0000 rejected', 'deadbeef'],
    [
      'a HubSpot webhook path secret',
      'POST /webhooks/hubspot/lgwh_Zm9vYmFyYmF6cXV4-_0123456789abcdefghijklmn failed',
      'Zm9vYmFy',
    ],
    [
      'a HubSpot access token in its introspection path',
      'request to https://api.hubapi.com/oauth/v1/access-tokens/CKPx9aXKMhIHAAEAQAAAARiO1ooBIPz_-Q1 failed',
      'CKPx9aXK',
    ],
    [
      'a HubSpot refresh token in its introspection path',
      'GET /oauth/v1/refresh-tokens/de3f1a2b-0c4d-4e5f-9a8b-7c6d5e4f3a2b?x=1 failed',
      'de3f1a2b',
    ],
  ])('removes %s', (_what, text, secretPart) => {
    const out = redactString(text);
    expect(out).toContain(REDACTED);
    expect(out).not.toContain(secretPart);
  });

  it('removes the values of sensitive keys quoted in text: JSON bodies and query strings echoed into errors', () => {
    const body =
      'HTTP 400 {"firstname":"Jane", "LastName" : "Doe \\"JD\\"", "city":"Oslo", "score":42, "name":"Jo Li"}';
    expect(redactString(body)).toBe(
      `HTTP 400 {"firstname":"${REDACTED}", "LastName" : "${REDACTED}", "city":"Oslo", "score":42, "name":"${REDACTED}"}`,
    );
    // A HubSpot card request carries the record's properties in its query (hubspot.md §6).
    expect(redactString('GET /card?portalId=1&firstname=Tim&lastname=Ng&phone=555&routeName=x')).toBe(
      `GET /card?portalId=1&firstname=${REDACTED}&lastname=${REDACTED}&phone=${REDACTED}&routeName=x`,
    );
  });

  it('keeps ordinary text unchanged', () => {
    expect(redactString('GET /api/v1/tenants/t1 200 in 3 ms')).toBe('GET /api/v1/tenants/t1 200 in 3 ms');
  });
});

describe('redact', () => {
  it('replaces sensitive keys at any depth and patterns in any string', () => {
    const input = {
      tenantId: 't1',
      crm: {
        response: { access_token: 'a', refresh_token: 'r', contacts: [{ email: 'x@y.io', firstname: 'Jo' }] },
      },
      note: 'mail bob@example.com',
    };
    expect(redact(input)).toEqual({
      tenantId: 't1',
      crm: {
        response: {
          access_token: REDACTED,
          refresh_token: REDACTED,
          contacts: [{ email: REDACTED, firstname: REDACTED }],
        },
      },
      note: `mail ${REDACTED}`,
    });
  });

  it('turns cycles into a marker instead of throwing', () => {
    const a: Record<string, unknown> = { id: 1 };
    a.self = a;
    expect(redact(a)).toEqual({ id: 1, self: '[Circular]' });
  });

  it('keeps the cause of an error, redacted', () => {
    const error = new Error('sync failed', {
      cause: { status: 401, access_token: 'x', detail: 'for bo@example.com' },
    });
    expect((redact(error) as Record<string, unknown>).cause).toEqual({
      status: 401,
      access_token: REDACTED,
      detail: `for ${REDACTED}`,
    });
  });

  it("keeps an error subclass's name, which is not a person's name", () => {
    class UpstreamError extends Error {
      constructor() {
        super('boom');
        this.name = 'UpstreamError';
      }
    }
    expect(redact(new UpstreamError())).toMatchObject({ name: 'UpstreamError', message: 'boom' });
  });

  it('keeps an error readable and redacts its message', () => {
    const out = redact(new Error('refresh failed for ann@example.com')) as Record<string, unknown>;
    expect(out.name).toBe('Error');
    expect(out.message).toBe(`refresh failed for ${REDACTED}`);
    expect(String(out.stack)).not.toContain('ann@example.com');
  });
});
