import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The HubSpot webhook endpoint carries a path secret: `/webhooks/hubspot/<secret>`.
 *
 * Why: card requests (`hubspot.fetch`) are signed by HubSpot's proxy with the same client secret as
 * webhooks (v3, hubspot.md §5.4 and §7.3), so a signature alone cannot tell a webhook batch from a
 * request a portal user made through the card. The card never learns this path: it is written only
 * into the webhook target URL (webhooks-hsmeta.json, filled by `npm run build:hubspot`), which card
 * code cannot read, so the proxy cannot reach the webhook route whatever URL the card asks for.
 *
 * The secret is derived from the client secret (no new variable to configure or rotate): an HMAC
 * under a fixed label, so seeing the path reveals nothing of the client secret. Rotating the client
 * secret changes the path; the webhook target must then be rebuilt and uploaded
 * (cards/hubspot/project/assemble.ts computes the same value; manifest.test.ts checks they agree).
 */

/** The route prefix; the secret is the next segment. */
export const WEBHOOK_BASE_PATH = '/webhooks/hubspot';
/** The express route: a wrong or missing secret answers the catalogue's 404, like an unknown route. */
export const WEBHOOK_ROUTE = `${WEBHOOK_BASE_PATH}/:pathSecret`;
/** The HMAC label; changing it moves every deployed webhook target. */
export const WEBHOOK_PATH_LABEL = 'leadgate-webhook-path';
/** A recognisable prefix, so log redaction can find the secret in a logged path (app/kit/logging). */
export const WEBHOOK_SECRET_PREFIX = 'lgwh_';

/** `lgwh_` + base64url(HMAC-SHA256(clientSecret, 'leadgate-webhook-path')): 48 URL-safe characters. */
export function webhookPathSecret(clientSecret: string): string {
  const mac = createHmac('sha256', clientSecret).update(WEBHOOK_PATH_LABEL, 'utf8').digest('base64url');
  return `${WEBHOOK_SECRET_PREFIX}${mac}`;
}

/** `/webhooks/hubspot/<secret>` */
export function webhookPath(clientSecret: string): string {
  return `${WEBHOOK_BASE_PATH}/${webhookPathSecret(clientSecret)}`;
}

/** The webhook target URL for a public base (LEADGATE_PUBLIC_URL, or the demo's local URL). */
export function webhookUrl(publicUrl: string, clientSecret: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${webhookPath(clientSecret)}`;
}

/** Constant-time comparison of a path segment with the expected secret. */
export function isWebhookPathSecret(candidate: string, clientSecret: string): boolean {
  const expected = Buffer.from(webhookPathSecret(clientSecret), 'utf8');
  const given = Buffer.from(candidate, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
