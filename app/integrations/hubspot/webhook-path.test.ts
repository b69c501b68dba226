import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  WEBHOOK_BASE_PATH,
  isWebhookPathSecret,
  webhookPath,
  webhookPathSecret,
  webhookUrl,
} from './webhook-path.ts';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';

describe('webhookPathSecret', () => {
  it('is the prefixed base64url HMAC of the label under the client secret', () => {
    const mac = createHmac('sha256', SECRET).update('leadgate-webhook-path').digest('base64url');
    expect(webhookPathSecret(SECRET)).toBe(`lgwh_${mac}`);
    expect(webhookPathSecret(SECRET)).toMatch(/^lgwh_[A-Za-z0-9_-]{43}$/);
  });

  it('differs per client secret and does not contain it', () => {
    expect(webhookPathSecret('a')).not.toBe(webhookPathSecret('b'));
    expect(webhookPathSecret(SECRET)).not.toContain(SECRET);
  });
});

describe('webhookPath and webhookUrl', () => {
  it('put the secret after the base path, once, without a double slash', () => {
    expect(webhookPath(SECRET)).toBe(`${WEBHOOK_BASE_PATH}/${webhookPathSecret(SECRET)}`);
    expect(webhookUrl('https://leadgate.example.com/', SECRET)).toBe(
      `https://leadgate.example.com${webhookPath(SECRET)}`,
    );
  });
});

describe('isWebhookPathSecret', () => {
  it('accepts the secret and refuses anything else, including a prefix of it', () => {
    const secret = webhookPathSecret(SECRET);
    expect(isWebhookPathSecret(secret, SECRET)).toBe(true);
    expect(isWebhookPathSecret(secret.slice(0, -1), SECRET)).toBe(false);
    expect(isWebhookPathSecret(`${secret}x`, SECRET)).toBe(false);
    expect(isWebhookPathSecret(webhookPathSecret('other'), SECRET)).toBe(false);
    expect(isWebhookPathSecret('', SECRET)).toBe(false);
  });
});
