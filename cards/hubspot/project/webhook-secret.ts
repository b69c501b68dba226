import { createHmac } from 'node:crypto';

/**
 * The webhook path secret, computed at build time so the webhook target URL uploaded to HubSpot
 * carries it: `lgwh_` + base64url(HMAC-SHA256(clientSecret, 'leadgate-webhook-path')).
 *
 * The same derivation as the server's (app/integrations/hubspot/webhook-path.ts), repeated here
 * because card code may import nothing outside cards/ (design §2); manifest.test.ts checks the two
 * agree. Card code never imports this file: the secret goes into webhooks-hsmeta.json only.
 */
export function buildWebhookPathSecret(clientSecret: string): string {
  return `lgwh_${createHmac('sha256', clientSecret).update('leadgate-webhook-path', 'utf8').digest('base64url')}`;
}
