/**
 * Redaction of secrets and personal data before anything reaches a log line. Two nets: keys that name
 * a secret or a person's attribute anywhere in nested meta, and value patterns (emails, bearer tokens,
 * JWTs, HubSpot private-app tokens and tokens in its introspection paths, Salesforce session ids, our
 * own API keys) in every string.
 */

export const REDACTED = '[REDACTED]';

/** Keys are compared lower-cased with `_` and `-` removed, so accessToken, access_token, ACCESS-TOKEN match. */
function normalise(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/** A key containing one of these is redacted: `hubspotAccessToken`, `clientSecret`, `x-api-key`... */
const SENSITIVE_KEY_PARTS = [
  'token',
  'secret',
  'password',
  'passwd',
  'authorization',
  'apikey',
  'cookie',
  'credential',
  'sessionid',
  'privatekey',
  'email',
  'phone',
  'signature',
] as const;

/**
 * Person attributes matched exactly: a substring match on "name" would hide `hostname` or `routeName`,
 * which logs need. HubSpot (firstname) and Salesforce (FirstName) spellings both normalise here.
 */
const SENSITIVE_KEYS = new Set([
  'name',
  'firstname',
  'lastname',
  'fullname',
  'middlename',
  'salutation',
  'address',
  'street',
  'mobilephone',
  'dateofbirth',
  'ip',
  'ipaddress',
]);

export function isSensitiveKey(key: string): boolean {
  const k = normalise(key);
  return SENSITIVE_KEYS.has(k) || SENSITIVE_KEY_PARTS.some((part) => k.includes(part));
}

const VALUE_PATTERNS: readonly RegExp[] = [
  // Credentials inside a URL (a database URL in a driver error): scheme://user:password@host.
  /(?<=[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+(?=@)/gi,
  // Secrets in a query string or form body echoed into a message (OAuth callbacks carry `code`).
  /(?<=[?&](?:access_token|refresh_token|id_token|client_secret|code|password|token|api_key)=)[^&\s"']+/gi,
  // HubSpot's token introspection puts the token itself in the path (GET /oauth/v1/access-tokens/{token},
  // /oauth/v1/refresh-tokens/{token}; hubspot.md §1.3), and node-fetch puts the URL into a network
  // error's message. HubSpot OAuth tokens have no prefix another pattern could catch.
  /(?<=\/oauth\/v1\/(?:access|refresh)-tokens\/)[^\s/?#"'<>]+/gi,
  // Bearer/Basic credentials in a header echoed into a message.
  /\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  // JWT: three base64url segments, the first starting with '{"' encoded (eyJ).
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  // HubSpot private-app / personal access tokens: pat-na1-xxxxxxxx-xxxx-....
  /\bpat-[a-z0-9]+-[A-Za-z0-9-]{8,}/gi,
  // Salesforce session id / access token: org id (00D + 12 or 15) '!' then the opaque part.
  /\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+/g,
  // leadgate API keys: lg_<keyId>_<secret>.
  /\blg_[A-Za-z0-9]+_[A-Za-z0-9]+/g,
  // The HubSpot webhook path secret (app/integrations/hubspot/webhook-path.ts) in a logged path.
  /\blgwh_[A-Za-z0-9_-]+/g,
  // Email addresses.
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
];

// `"key": "value"` of JSON quoted in a message (a CRM's error body echoing the record it refused), and
// `key=value` of a query string or form body (a HubSpot card URL carries firstname, email...): the
// value goes when the key is one isSensitiveKey names, so a name is caught where nothing else shows it.
const JSON_PAIR = /("([A-Za-z_$][\w$.-]*)"\s*:\s*")((?:[^"\\]|\\.)*)(")/g;
const QUERY_PAIR = /([?&]([A-Za-z_][\w.-]*)=)([^&\s"'#]*)/g;

function redactPairs(text: string): string {
  const pair = (match: string, head: string, key: string, _value: string, tail = ''): string =>
    isSensitiveKey(key) ? `${head}${REDACTED}${tail}` : match;
  return text
    .replace(JSON_PAIR, (m, head: string, key: string, value: string, tail: string) =>
      pair(m, head, key, value, tail),
    )
    .replace(QUERY_PAIR, (m, head: string, key: string, value: string) => pair(m, head, key, value));
}

/**
 * Replaces every secret-looking or email-looking part of a string, and the values of sensitive keys
 * quoted in it. Used for log lines and for error texts before they are stored (jobs, dead letters).
 */
export function redactString(text: string): string {
  let out = redactPairs(text);
  for (const pattern of VALUE_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

const MAX_DEPTH = 8;

/**
 * Deep copy of `value` with sensitive keys and values replaced. Never throws: cycles become
 * "[Circular]", very deep structures "[Truncated]", errors keep name, message and stack (redacted).
 */
export function redact(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Date) return value.toISOString();
    if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
    if (value instanceof Error) {
      const out: Record<string, unknown> = {
        name: value.name,
        message: redactString(value.message),
      };
      if (value.stack !== undefined) out.stack = redactString(value.stack);
      // `cause` is not enumerable, yet it is where wrapped SDK errors keep the upstream detail.
      if (value.cause !== undefined) out.cause = walk(value.cause, depth + 1, seen);
      copyEntries(value, out, depth, seen);
      return out;
    }
    if (Array.isArray(value)) return value.map((item: unknown) => walk(item, depth + 1, seen));
    const out: Record<string, unknown> = {};
    copyEntries(value, out, depth, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

function copyEntries(
  source: object,
  out: Record<string, unknown>,
  depth: number,
  seen: WeakSet<object>,
): void {
  for (const [key, item] of Object.entries(source)) {
    // An error's name is its class (HttpError), not a person's: keep the one set above.
    if (source instanceof Error && (key === 'stack' || key === 'message' || key === 'name')) continue;
    out[key] =
      isSensitiveKey(key) && item !== undefined && item !== null ? REDACTED : walk(item, depth + 1, seen);
  }
}
