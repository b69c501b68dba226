import { createHmac } from 'node:crypto';

/**
 * HubSpot request signature v3 (hubspot.md §5.4): base64(HMAC-SHA256(clientSecret,
 * method + uri + body + timestamp)), sent as `X-HubSpot-Signature-v3` with the timestamp (epoch ms)
 * in `X-HubSpot-Request-Timestamp`. `uri` is the full target URL as HubSpot requested it.
 */
export interface SignatureInput {
  clientSecret: string;
  method: string;
  uri: string;
  body: string;
  timestamp: number;
}

export function signatureV3(input: SignatureInput): string {
  return createHmac('sha256', input.clientSecret)
    .update(`${input.method}${input.uri}${input.body}${input.timestamp}`, 'utf8')
    .digest('base64');
}
