import { createHmac } from 'node:crypto';

/**
 * The emulator's own v3 signer, written from HubSpot's published algorithm (hubspot.md §5.4,
 * https://developers.hubspot.com/docs/api/webhooks/validating-requests). It shares no code with the
 * app's verifier (connectors/hubspot/signature.ts) on purpose: if both used one function, a bug in it
 * would sign and verify the same wrong value and every test would still pass. signature.test.ts pins
 * it to the fixed vectors of HubSpot's own SDKs instead.
 */
export interface SignatureInput {
  clientSecret: string;
  method: string;
  /** The full target URL, `https://host/path?query`. */
  uri: string;
  /** The raw body bytes as sent ('' for a GET). */
  body: string;
  /** `X-HubSpot-Request-Timestamp`, epoch ms. */
  timestamp: number;
}

/**
 * The characters HubSpot's validation guide tells the receiver to decode in the URI before hashing
 * (hubspot.md §5.4 step 2). A receiver that must decode them to reproduce the signature means HubSpot
 * hashed the URI with them decoded, so the emulator does the same. Every other escape (`%20`, `%26`,
 * …) stays as it is.
 */
const DECODED_IN_URI: ReadonlySet<string> = new Set([
  ':',
  '/',
  '?',
  '@',
  '!',
  '$',
  "'",
  '(',
  ')',
  '*',
  ',',
  ';',
]);

/** The URI as HubSpot hashes it: only the listed escapes decoded, either hex case. */
export function signedUri(uri: string): string {
  return uri.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const char = String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return DECODED_IN_URI.has(char) ? char : escape;
  });
}

/** `X-HubSpot-Signature-v3`: base64(HMAC-SHA256(key = client secret, method + uri + body + timestamp)), UTF-8. */
export function signatureV3(input: SignatureInput): string {
  const source = input.method + signedUri(input.uri) + input.body + String(input.timestamp);
  return createHmac('sha256', Buffer.from(input.clientSecret, 'utf8'))
    .update(Buffer.from(source, 'utf8'))
    .digest('base64');
}
