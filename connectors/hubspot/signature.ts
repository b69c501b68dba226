import { createHmac, timingSafeEqual } from 'node:crypto';

/** HubSpot: "Reject the request if the timestamp is older than 5 minutes" (hubspot.md §5.4). */
export const SIGNATURE_MAX_AGE_MS = 5 * 60 * 1000;

export interface SignedRequest {
  readonly method: string;
  /** The full URL HubSpot called: `https://host/path?query`, as received. */
  readonly url: string;
  /** The raw body as received ('' for a GET). */
  readonly body: string;
  /** `X-HubSpot-Signature-v3` */
  readonly signature: string | undefined;
  /** `X-HubSpot-Request-Timestamp`, epoch ms */
  readonly timestamp: string | undefined;
}

export type SignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing' | 'bad_timestamp' | 'expired' | 'mismatch' };

/**
 * The characters HubSpot's validation guide says to decode in the URI before hashing (hubspot.md
 * §5.4 step 2). The SDK's `Signature.isValid` hashes the URL verbatim instead; we accept either form,
 * both being an HMAC under the client secret.
 */
const DECODE: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function decodeSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODE[m.toUpperCase()] ?? m);
}

/** base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)), hubspot.md §5.4. */
export function signatureV3(
  clientSecret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: string,
): string {
  return createHmac('sha256', clientSecret)
    .update(`${method}${uri}${body}${timestamp}`, 'utf8')
    .digest('base64');
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Verifies HubSpot's v3 signature, which HubSpot puts on webhooks and on `hubspot.fetch` calls from
 * app cards, keyed by the app's client secret (hubspot.md §5.4, §7.3). A timestamp more than five
 * minutes away from now, in either direction, is refused so a captured request cannot be replayed.
 */
export function verifySignatureV3(request: SignedRequest, clientSecret: string, now: number): SignatureCheck {
  const { signature, timestamp } = request;
  if (signature === undefined || signature === '' || timestamp === undefined || timestamp === '') {
    return { ok: false, reason: 'missing' };
  }
  if (!/^[0-9]{1,16}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_MAX_AGE_MS) return { ok: false, reason: 'expired' };
  const method = request.method.toUpperCase();
  const candidates = new Set([decodeSignedUri(request.url), request.url]);
  for (const uri of candidates) {
    if (sameSignature(signatureV3(clientSecret, method, uri, request.body, timestamp), signature)) {
      return { ok: true };
    }
  }
  return { ok: false, reason: 'mismatch' };
}
