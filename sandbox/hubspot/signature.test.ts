import { describe, expect, it } from 'vitest';
import { signatureV3 } from './signature.ts';

describe('signatureV3', () => {
  it('matches the fixed test vector of hubspot.md §5.4', () => {
    const body =
      '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
    expect(
      signatureV3({
        clientSecret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
        method: 'POST',
        uri: 'https://www.example.com/webhook_uri',
        body,
        timestamp: 1700000000000,
      }),
    ).toBe('/pXDSgWeGksQpwCsgqd43P0eY6gBIse9UX0tfkudUrE=');
  });
});
